fn main() {
    let mut x = 1;
    let r = &x;
    println!("{}", r);
    x = 2;
    println!("{}", x);
}
