fn take(s: String) -> usize {
    s.len()
}

fn main() {
    let s = String::from("hello");
    let n = take(s.clone());
    println!("{} {}", n, s.len());
}
