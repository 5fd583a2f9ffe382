//! Replays every checked-in fuzz seed (`fuzz/corpus/<target>/`) through its target's check
//! (`fuzz/checks.rs`, the same functions the libFuzzer targets call), so the seeds — among them
//! inputs that once crashed an importer — are checked on every `cargo test`, without
//! cargo-fuzz or a nightly toolchain.

use std::path::Path;

#[path = "../../../fuzz/checks.rs"]
mod checks;

#[test]
fn every_checked_in_fuzz_seed_passes_its_targets_check() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let mut folders: Vec<String> = std::fs::read_dir(&corpus)
        .expect("fuzz/corpus")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    folders.sort();
    let mut targets: Vec<String> = checks::TARGETS.iter().map(|t| t.to_string()).collect();
    targets.sort();
    assert_eq!(
        folders, targets,
        "every seed folder is a target with a check, and back"
    );
    let mut replayed = 0;
    for target in checks::TARGETS {
        let mut seeds = 0;
        for entry in std::fs::read_dir(corpus.join(target)).expect("seed folder") {
            let path = entry.expect("entry").path();
            let data = std::fs::read(&path).expect("seed");
            let outcome = std::panic::catch_unwind(|| checks::check(target, &data));
            assert!(
                outcome.is_ok(),
                "{target}: the seed {} fails",
                path.display()
            );
            seeds += 1;
        }
        assert!(seeds > 0, "{target} has no seeds");
        replayed += seeds;
    }
    eprintln!(
        "replayed {replayed} seeds of {} targets",
        checks::TARGETS.len()
    );
}
