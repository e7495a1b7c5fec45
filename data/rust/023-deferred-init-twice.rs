fn main() {
    let x: i32;
    x = 1;
    x = 2;
    println!("{}", x);
}
