fn main() {
    let mut v = vec![1];
    {
        let m = &mut v;
        m.push(2);
    }
    let n = &v;
    println!("{:?}", n);
}
