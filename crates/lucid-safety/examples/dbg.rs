fn main() {
    for a in std::env::args().skip(1) {
        let r = lucid_safety::redact(&a);
        println!("{:?} -> {}", r.findings, r.text);
        for f in lucid_safety::scan_injection(&a) { println!("  {:?}", f); }
    }
}
