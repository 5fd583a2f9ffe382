#[test]
fn dbg() {
    let dirs: Vec<std::path::PathBuf> = std::env::var("SCRATCH_DIRS")
        .unwrap_or_default()
        .split(':')
        .filter(|s| !s.is_empty())
        .map(|s| std::path::Path::new("../..").join(s))
        .collect();
    let files = lucid_fs::find_transcripts(&dirs).unwrap();
    let out = lucid_fs::digest_transcripts(
        &files,
        &Default::default(),
        &lucid_fs::TrustRules::default(),
        &|_| {},
    );
    for d in &out.digests {
        for f in &d.failures {
            let e = f.error.clone().unwrap_or_default();
            println!(
                "F {} | {} | {} | {} | {}",
                d.source.rsplit('/').next().unwrap_or(""),
                f.tool,
                f.identity,
                e.chars().take(140).collect::<String>(),
                format!("{:?}", f.follow_up)
                    .chars()
                    .take(300)
                    .collect::<String>()
            );
        }
    }
}
