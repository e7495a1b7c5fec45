fn main() {
    let s = String::from("a");
    let t = s;
    let n = s.len();
    let x = 1;
    x = 2;
    let mut v = vec![1];
    let r = &v;
    v.push(2);
    println!("{} {} {:?}", t, n, r);
}
