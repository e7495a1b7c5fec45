fn main() {
    let mut v = vec![1, 2, 3];
    let m = &mut v;
    let n = v.len();
    m.push(4);
    println!("{}", n);
}
