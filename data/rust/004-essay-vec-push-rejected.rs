fn main() {
    let mut x = vec![1, 2, 3];
    let y = &x;
    x.push(4);
    println!("{:?}", y);
}
