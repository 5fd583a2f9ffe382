//! Throughput check: redacts and scans every readable text file under a
//! directory and prints MB/s for both checks (single thread).
//!
//! ```text
//! cargo run --release -p lucid-safety --example throughput -- ~/.cargo/registry/src
//! cargo run --release -p lucid-safety --example throughput -- DIR --show   # also print findings
//! ```

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: throughput DIR [--show]");
        return;
    };
    let show = args.any(|a| a == "--show");
    let mut files = Vec::new();
    walk(Path::new(&dir), &mut files);

    // Warm up the lazily compiled patterns so they are not timed.
    let _ = lucid_safety::redact("warm up");
    let _ = lucid_safety::scan_injection("warm up");

    let (mut bytes, mut t_redact, mut t_scan) = (0usize, Duration::ZERO, Duration::ZERO);
    let (mut secrets, mut injections) = (0usize, 0usize);
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        bytes += text.len();

        let start = Instant::now();
        let redaction = lucid_safety::redact(&text);
        t_redact += start.elapsed();

        let start = Instant::now();
        let findings = lucid_safety::scan_injection(&text);
        t_scan += start.elapsed();

        secrets += redaction.findings.len();
        injections += usize::from(!findings.is_empty());
        if show {
            for f in &redaction.findings {
                println!("secret    {} {}", file.display(), f.kind);
            }
            for f in &findings {
                println!("injection {} {}: {}", file.display(), f.rule, f.excerpt);
            }
        }
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "{mb:.1} MB in {} files: redact {:.0} MB/s ({secrets} secrets), scan_injection {:.0} MB/s ({injections} files flagged)",
        files.len(),
        mb / t_redact.as_secs_f64().max(1e-9),
        mb / t_scan.as_secs_f64().max(1e-9),
    );
}
