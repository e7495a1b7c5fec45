fn main() {
    let mut s = String::from("a");
    let a = &mut s;
    a.push_str("b");
    let b = &mut s;
    b.push_str("c");
    println!("{}", s);
}
