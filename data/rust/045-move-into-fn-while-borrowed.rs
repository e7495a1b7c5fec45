fn eat(b: Box<i32>) {
    println!("{}", b);
}

fn main() {
    let b = Box::new(3);
    let r = &b;
    eat(b);
    println!("{}", r);
}
