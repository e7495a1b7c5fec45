fn main() {
    let mut a = 10;
    let m = &mut a;
    let s = &a;
    *m += 1;
    println!("{}", s);
}
