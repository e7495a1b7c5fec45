fn main() {
    let mut v = vec![1];
    let w = v;
    v = vec![2, 3];
    println!("{:?} {:?}", v, w);
}
