fn f(n: i32) -> i32 {
    n = n + 1;
    n
}

fn main() {
    println!("{}", f(1));
}
