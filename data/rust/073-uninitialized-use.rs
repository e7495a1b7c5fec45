fn main() {
    let x: i32;
    let c = false;
    if c {
        x = 1;
    }
    println!("{}", x);
}
