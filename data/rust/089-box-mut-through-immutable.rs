fn main() {
    let b = Box::new(1);
    *b = 2;
    println!("{}", b);
}
