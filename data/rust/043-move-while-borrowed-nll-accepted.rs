fn main() {
    let s = String::from("hello");
    let r = &s;
    println!("{}", r);
    let t = s;
    println!("{}", t);
}
