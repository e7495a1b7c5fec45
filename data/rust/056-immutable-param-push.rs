fn grow(v: Vec<i32>) -> Vec<i32> {
    v.push(9);
    v
}

fn main() {
    let v = vec![1];
    println!("{:?}", grow(v));
}
