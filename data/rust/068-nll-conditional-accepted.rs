fn main() {
    let mut x = 5;
    let r = &mut x;
    if *r > 3 {
        *r = 3;
    }
    println!("{}", x);
}
