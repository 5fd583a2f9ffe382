//! `lucid apply`: selective promote of a folder dream. The example fleet is dreamed for real,
//! then changes are accepted and rejected by id and the resulting store is compared item by
//! item with what each decision must give.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use support::{Ran, dream, lucid, repo};

/// What `lucid apply` printed, both streams (for failure messages and error texts).
fn text_of(output: &Ran) -> String {
    format!("{}{}", output.stdout, output.stderr)
}

/// `lucid apply ARGS`, run from the repository's root (the example fleet's paths are relative).
fn apply(args: &[&str]) -> Ran {
    let mut all = vec!["apply"];
    all.extend_from_slice(args);
    lucid(&repo(), &all)
}

/// Every list item or paragraph of every Markdown file below `dir`, as (path, text).
fn items(dir: &Path) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(dir)
                .expect("inside")
                .display()
                .to_string();
            let content = std::fs::read_to_string(&path).expect("text");
            for line in content.lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let text = line.strip_prefix("- ").unwrap_or(line);
                out.insert((relative.clone(), text.to_string()));
            }
        }
    }
    out
}

struct Dreamed {
    _dir: tempfile::TempDir,
    root: PathBuf,
    report: serde_json::Value,
}

impl Dreamed {
    fn path(&self, name: &str) -> String {
        self.root.join(name).display().to_string()
    }

    fn ids(&self, op: &str) -> Vec<String> {
        self.report["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .filter(|c| c["op"] == op)
            .map(|c| {
                c["id"]
                    .as_str()
                    .expect("every change has an id")
                    .to_string()
            })
            .collect()
    }

    fn change(&self, id: &str) -> &serde_json::Value {
        self.report["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .find(|c| c["id"] == id)
            .expect("the change")
    }
}

/// The example fleet dreamed into a new folder, with its report.
fn dreamed() -> Dreamed {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().to_path_buf();
    let report = root.join("dream.json");
    let output = dream(&repo())
        .example_fleet()
        .out(root.join("draft"))
        .report(&report)
        .run();
    assert_eq!(output.code, Some(0), "{}", text_of(&output));
    let report =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
    Dreamed {
        _dir: dir,
        root,
        report,
    }
}

#[test]
fn change_ids_are_stable_across_runs() {
    let first = dreamed();
    let second = dreamed();
    let ids = |d: &Dreamed| -> Vec<String> {
        d.report["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .map(|c| c["id"].as_str().expect("id").to_string())
            .collect()
    };
    assert_eq!(ids(&first), ids(&second));
    let distinct: BTreeSet<String> = ids(&first).into_iter().collect();
    assert_eq!(distinct.len(), ids(&first).len());
}

#[test]
fn accepting_every_change_gives_the_draft_and_rejecting_one_keeps_the_input() {
    let dream = dreamed();
    let all: Vec<String> = dream.report["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["op"] != "flag")
        .map(|c| c["id"].as_str().expect("id").to_string())
        .collect();
    let accepted = apply(&[
        "--store",
        "examples/fleet/memory",
        "--report",
        &dream.path("dream.json"),
        "--accept",
        &all.join(","),
        "--out",
        &dream.path("all"),
    ]);
    assert!(accepted.code == Some(0), "{}", text_of(&accepted));
    assert_eq!(
        items(&dream.root.join("all")),
        items(&dream.root.join("draft")),
        "accepting every change must give the draft's items"
    );

    // Reject one supersede (or merge): its old text(s) stay, its new text is not there.
    let target = dream
        .ids("supersede")
        .into_iter()
        .chain(dream.ids("merge"))
        .next()
        .expect("the example fleet has a supersede or a merge");
    let change = dream.change(&target).clone();
    let rejected = apply(&[
        "--store",
        "examples/fleet/memory",
        "--report",
        &dream.path("dream.json"),
        "--reject",
        &target,
        "--out",
        &dream.path("reviewed"),
    ]);
    assert!(rejected.code == Some(0), "{}", text_of(&rejected));
    let reviewed: BTreeSet<String> = items(&dream.root.join("reviewed"))
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    let input: BTreeSet<String> = items(&repo().join("examples/fleet/memory"))
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    for old in change["replaces"].as_array().expect("replaces") {
        let old = old.as_str().expect("text");
        if input.contains(old) {
            assert!(
                reviewed.contains(old),
                "rejected {target}: {old:?} must stay"
            );
        }
    }
    assert!(
        !reviewed.contains(change["text"].as_str().expect("text")),
        "rejected {target}: its text must not be written"
    );
    // The input store is untouched.
    assert_eq!(
        items(&repo().join("examples/fleet/memory")).len(),
        input.len()
    );
}

#[test]
fn an_unknown_change_id_writes_nothing() {
    let dream = dreamed();
    let output = apply(&[
        "--store",
        "examples/fleet/memory",
        "--report",
        &dream.path("dream.json"),
        "--reject",
        "chg_0000000000000000",
        "--out",
        &dream.path("nothing"),
    ]);
    assert_eq!(output.code, Some(2), "{}", text_of(&output));
    assert!(
        text_of(&output).contains("no change with id chg_0000000000000000"),
        "{}",
        text_of(&output)
    );
    assert!(!dream.root.join("nothing").exists());
}
