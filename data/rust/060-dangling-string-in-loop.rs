fn main() {
    let mut longest = &String::from("");
    let mut i = 0;
    while i < 2 {
        let s = String::from("abc");
        if s.len() > longest.len() {
            longest = &s;
        }
        i += 1;
    }
    println!("{}", longest);
}
