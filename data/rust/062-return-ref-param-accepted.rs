fn first(v: &Vec<i32>) -> &i32 {
    &v[0]
}

fn main() {
    let v = vec![4, 5];
    let f = first(&v);
    println!("{}", f);
}
