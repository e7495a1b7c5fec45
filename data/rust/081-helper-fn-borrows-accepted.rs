fn total(v: &Vec<i32>) -> i32 {
    let mut sum = 0;
    let mut i = 0;
    while i < v.len() {
        sum += v[i];
        i += 1;
    }
    sum
}

fn main() {
    let mut v = vec![1, 2, 3];
    let t = total(&v);
    v.push(t);
    println!("{:?} {}", v, total(&v));
}
