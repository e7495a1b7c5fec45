fn main() {
    let mut a = String::from("x");
    let b = String::from("y");
    let m = &mut a;
    if a == b {
        m.push_str("z");
    }
    m.push_str("w");
}
