fn main() {
    let mut s = String::from("hi");
    let m = &mut s;
    println!("{}", s);
    m.push_str("!");
}
