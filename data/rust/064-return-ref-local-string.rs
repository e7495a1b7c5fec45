fn longest(a: &String) -> &String {
    let b = String::from("local");
    if a.len() > b.len() {
        a
    } else {
        &b
    }
}

fn main() {
    let s = String::from("hi");
    println!("{}", longest(&s));
}
