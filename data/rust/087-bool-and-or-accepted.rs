fn main() {
    let a = true;
    let b = !a;
    let v = vec![1];
    if a && b || v.len() == 1 {
        println!("{:?}", v);
    }
}
