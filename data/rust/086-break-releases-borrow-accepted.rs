fn main() {
    let mut x = 0;
    loop {
        let r = &mut x;
        *r += 1;
        if *r > 3 {
            break;
        }
    }
    println!("{}", x);
}
