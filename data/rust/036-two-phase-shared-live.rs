fn main() {
    let mut v: Vec<usize> = vec![5];
    let r = &v;
    v.push(r.len());
    println!("{:?}", r);
}
