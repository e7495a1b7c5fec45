fn main() {
    let x = String::from("a");
    let x = x.len();
    let x = x + 1;
    println!("{}", x);
}
