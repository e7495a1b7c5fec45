fn main() {
    let mut v = vec![1, 2];
    v.push(v.len());
    println!("{:?}", v);
}
