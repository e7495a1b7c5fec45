fn main() {
    let a = 5;
    let b = a;
    println!("{} {}", a, b);
}
