fn main() {
    let mut s = String::from("x");
    let flag = true;
    if flag {
        drop(s);
        s = String::from("y");
    }
    println!("{}", s);
}
