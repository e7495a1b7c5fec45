fn main() {
    let r: &i32;
    {
        let b = Box::new(5);
        r = &*b;
    }
    println!("{}", r);
}
