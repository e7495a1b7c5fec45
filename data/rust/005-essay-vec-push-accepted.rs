fn main() {
    let mut x = vec![1, 2, 3];
    let y = &x;
    println!("{:?}", y);
    x.push(4);
}
