fn main() {
    let mut s = String::from("a");
    let a = &mut s;
    let b = &mut s;
    a.push_str("b");
    b.push_str("c");
}
