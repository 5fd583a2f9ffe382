//! Debug helper: print scanner findings for each line of a corpus file.
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    for line in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let l = line.replace("\\n", "\n");
        let l = unescape(&l);
        let f = lucid_safety::scan_injection(&l);
        println!("{}\n   => {:?}", line.chars().take(90).collect::<String>(), f.iter().map(|f| (f.rule, f.excerpt.chars().take(70).collect::<String>())).collect::<Vec<_>>());
    }
}
fn unescape(s: &str) -> String {
    let mut out = String::new(); let mut rest = s;
    while let Some(p) = rest.find("\\u{") {
        out.push_str(&rest[..p]); let r = &rest[p+3..];
        if let Some(e) = r.find('}') { if let Some(c) = u32::from_str_radix(&r[..e],16).ok().and_then(char::from_u32) { out.push(c); rest = &r[e+1..]; continue; } }
        out.push_str("\\u{"); rest = r;
    }
    out.push_str(rest); out
}
