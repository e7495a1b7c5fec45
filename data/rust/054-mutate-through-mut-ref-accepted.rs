fn add_one(v: &mut Vec<i32>) {
    v.push(1);
}

fn main() {
    let mut v = vec![0];
    add_one(&mut v);
    add_one(&mut v);
    println!("{:?}", v);
}
