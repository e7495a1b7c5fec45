fn main() {
    let mut v = vec![1, 2, 3];
    let last = v.len() - 1;
    v[last] = 5;
    println!("{:?}", v);
}
