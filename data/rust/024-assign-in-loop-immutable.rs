fn main() {
    let total: i32;
    let mut i = 0;
    while i < 3 {
        total = i;
        i += 1;
    }
}
