fn first(v: &Vec<i32>) -> &i32 {
    &v[0]
}

fn main() {
    let mut v = vec![4, 5];
    let f = first(&v);
    v.push(6);
    println!("{}", f);
}
