fn main() {
    let mut x = 1;
    let m = &mut x;
    let m2 = m;
    *m = 3;
    *m2 = 4;
}
