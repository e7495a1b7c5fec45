fn main() {
    let mut x = 1;
    let m = &mut x;
    let m2: &mut i32 = m;
    *m2 = 4;
    *m = 3;
    println!("{}", x);
}
