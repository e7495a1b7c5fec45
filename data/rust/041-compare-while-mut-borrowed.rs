fn main() {
    let mut n = 3;
    let r = &mut n;
    if n > 2 {
        *r = 0;
    }
    *r += 1;
}
