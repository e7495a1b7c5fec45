fn main() {
    let x = Box::new(42);
    let y = x;
    println!("{}", y);
}
