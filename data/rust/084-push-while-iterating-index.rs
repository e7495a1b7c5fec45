fn main() {
    let mut v = vec![1, 2, 3];
    let mut i = 0;
    let first = &v[0];
    while i < 3 {
        v.push(*first);
        i += 1;
    }
}
