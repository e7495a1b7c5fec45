fn main() {
    let a = String::from("x");
    let b = a.clone();
    if a == b {
        println!("{} {}", a, b);
    }
}
