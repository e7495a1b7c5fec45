fn consume(v: Vec<i32>) -> usize {
    v.len()
}

fn main() {
    let v = vec![1, 2, 3];
    let mut i = 0;
    while i < 3 {
        let n = consume(v);
        println!("{}", n);
        i += 1;
    }
}
