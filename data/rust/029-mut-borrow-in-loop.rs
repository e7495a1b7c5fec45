fn main() {
    let mut x = 0;
    let mut refs_len = 0;
    let mut first = &mut refs_len;
    let mut i = 0;
    while i < 2 {
        let r = &mut x;
        *first += 1;
        first = r;
        i += 1;
    }
    println!("{}", first);
}
