fn swap_first(a: &mut Vec<i32>, b: &mut Vec<i32>) {
    let t = a[0];
    a[0] = b[0];
    b[0] = t;
}

fn main() {
    let mut v = vec![1, 2];
    let mut w = vec![3, 4];
    swap_first(&mut v, &mut w);
    println!("{:?} {:?}", v, w);
}
