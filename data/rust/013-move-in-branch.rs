fn main() {
    let s = String::from("x");
    let flag = true;
    if flag {
        drop(s);
    }
    println!("{}", s);
}
