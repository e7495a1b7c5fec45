fn main() {
    let v = vec![1, 2];
    let r = &v;
    drop(v);
    println!("{:?}", r);
}
