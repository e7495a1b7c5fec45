fn main() {
    let x = Box::new(42);
    let y = x.clone();
    println!("{} {}", x, y);
}
