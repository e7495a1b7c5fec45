fn main() {
    let mut b = Box::new(1);
    let r = &b;
    *b = 2;
    println!("{}", r);
}
