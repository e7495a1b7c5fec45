fn main() {
    let b = Box::new(7);
    drop(b);
    println!("{}", b);
}
