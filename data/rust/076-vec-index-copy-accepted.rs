fn main() {
    let mut v = vec![1, 2, 3];
    let a = v[0];
    v[1] = a + v[2];
    let total = v[0] + v[1] + v[2];
    println!("{}", total);
}
