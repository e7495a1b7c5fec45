fn main() {
    let mut x = 1;
    let r = &mut x;
    let y = x + 1;
    *r = 2;
    println!("{}", y);
}
