fn main() {
    let mut b = Box::new(5);
    let n = *b;
    *b = n + 1;
    println!("{} {}", n, b);
}
