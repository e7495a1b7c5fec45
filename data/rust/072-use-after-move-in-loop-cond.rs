fn main() {
    let s = String::from("a");
    let mut n = 0;
    loop {
        if n > 1 {
            break;
        }
        let t = s;
        println!("{}", t);
        n += 1;
    }
}
