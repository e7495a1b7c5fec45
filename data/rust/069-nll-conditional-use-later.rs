fn main() {
    let mut x = 5;
    let r = &mut x;
    let c = true;
    if c {
        println!("{}", x);
    }
    *r = 1;
}
