fn main() {
    let count = 0;
    count += 1;
    println!("{}", count);
}
