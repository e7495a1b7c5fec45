fn main() {
    let s = String::from("a");
    let r = &s;
    let t = *r;
    println!("{}", t);
}
