fn main() {
    let s = String::from("a");
    drop(s);
    drop(s);
}
