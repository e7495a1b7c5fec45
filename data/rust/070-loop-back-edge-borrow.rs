fn main() {
    let mut v = vec![1];
    let mut r = &v;
    let mut i = 0;
    while i < 2 {
        v.push(i);
        r = &v;
        i += 1;
    }
    println!("{:?}", r);
}
