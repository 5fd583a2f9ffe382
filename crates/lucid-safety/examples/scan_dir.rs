//! Debug/benchmark helper: scan every text file under a directory.
use std::time::{Duration, Instant};
fn walk(p: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let path = e.path();
            if path.is_dir() { walk(&path, out) } else { out.push(path) }
        }
    }
}
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_default();
    let mode = std::env::args().nth(2).unwrap_or_default();
    let mut files = Vec::new();
    walk(std::path::Path::new(&dir), &mut files);
    let (mut bytes, mut tr, mut ti) = (0usize, Duration::ZERO, Duration::ZERO);
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else { continue };
        bytes += text.len();
        let t = Instant::now();
        let r = if mode.contains('I') { lucid_safety::redact("") } else { lucid_safety::redact(&text) };
        tr += t.elapsed();
        let t = Instant::now();
        let inj = if mode.contains('R') { Vec::new() } else { lucid_safety::scan_injection(&text) };
        ti += t.elapsed();
        if mode.contains('s') {
            for x in &r.findings { println!("SECRET {} {} {:?}", f.display(), x.kind, &text[x.start..x.end].chars().take(80).collect::<String>()); }
        }
        if mode.contains('i') {
            for x in &inj { println!("INJ {} {} {:?}", f.display(), x.rule, x.excerpt); }
        }
    }
    let mb = bytes as f64 / 1e6;
    eprintln!("{mb:.1} MB; redact {:.0} MB/s; injection {:.0} MB/s", mb / tr.as_secs_f64(), mb / ti.as_secs_f64());
}
