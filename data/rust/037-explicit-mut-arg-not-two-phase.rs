fn add(v: &mut Vec<usize>, n: usize) {
    v.push(n);
}

fn main() {
    let mut v = vec![1];
    add(&mut v, v.len());
}
