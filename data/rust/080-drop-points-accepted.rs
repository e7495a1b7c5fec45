fn main() {
    let a = String::from("a");
    let b = Box::new(1);
    {
        let c = vec![1, 2];
        println!("{:?}", c);
    }
    let d = a;
    println!("{} {}", b, d);
}
