fn main() {
    let mut s = String::from("a");
    let r = &s;
    let s = String::from("b");
    println!("{} {}", r, s);
}
