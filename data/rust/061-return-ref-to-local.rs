fn make() -> &i32 {
    let x = 5;
    &x
}

fn main() {
    println!("{}", make());
}
