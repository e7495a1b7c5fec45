fn main() {
    let mut v = vec![1];
    let mut i = 0;
    while i < 3 {
        let m = &mut v;
        m.push(i);
        i += 1;
    }
    println!("{:?}", v);
}
