fn main() {
    let mut x = 0;
    let r = &x;
    let mut i = 0;
    while i < 3 {
        x += 1;
        println!("{}", r);
        i += 1;
    }
}
