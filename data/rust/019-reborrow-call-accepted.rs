fn bump(r: &mut i32) {
    *r += 1;
}

fn main() {
    let mut x = 1;
    let m = &mut x;
    bump(m);
    bump(m);
    println!("{}", x);
}
