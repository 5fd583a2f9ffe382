//! Micro-benchmarks of the hot paths `lucid-dev bench` (whole dreams) cannot isolate: importing
//! one real transcript per harness, digesting a session, statement analysis, the duplicate
//! rules, the similarity join and secret redaction. Inputs are the real-transcript corpus in
//! `tests/data/real` (see its SOURCES.md), read once before timing.
//!
//! Run: `cargo bench -p lucid-dev --bench micro` (divan prints a table; `scripts/benchmarks`
//! puts it in BENCHMARKS.md).

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use divan::counter::{BytesCount, ItemsCount};
use divan::{Bencher, black_box};
use lucid_core::text;

fn main() {
    divan::main();
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/real")
}

/// One real transcript per harness, the largest of its source.
const TRANSCRIPTS: &[(&str, &str)] = &[
    (
        "claude_code",
        "claude-entire-cli/sessions/1c38adc0-5071-4382-9e53-de8c30e2265f.jsonl",
    ),
    (
        "codex",
        "codex-agentv/sessions/019f03e0-321f-7eb2-83cc-b54ecd71be23.jsonl",
    ),
    (
        "swe_agent",
        "miniswe-gemini3-swebench/sessions/django__django-13121.traj.json",
    ),
];

/// The transcript listed for `harness`.
fn transcript(harness: &str) -> &'static str {
    TRANSCRIPTS
        .iter()
        .find(|(h, _)| *h == harness)
        .map(|(_, relative)| *relative)
        .expect("a listed harness")
}

fn read(relative: &str) -> Vec<u8> {
    let path = corpus().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn import(relative: &str, bytes: &[u8]) -> lucid_core::Session {
    let source = lucid_import::Source::new(relative);
    lucid_import::import_session(bytes, &source)
        .unwrap_or_else(|e| panic!("import {relative}: {e}"))
}

/// Every store item and hand-written lesson of the corpus: short, real, varied sentences.
static SENTENCES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(corpus()).expect("the real-transcript corpus");
    for source in entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
        for file in std::fs::read_dir(source.join("store"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let text = std::fs::read_to_string(file.path()).unwrap_or_default();
            out.extend(
                text.lines()
                    .filter_map(|l| l.strip_prefix("- "))
                    .map(str::to_string),
            );
        }
        let expected = std::fs::read_to_string(source.join("expected.toml")).unwrap_or_default();
        out.extend(
            expected
                .lines()
                .filter_map(|l| l.strip_prefix("text = \""))
                .map(|l| l.trim_end_matches('"').replace("\\\"", "\"")),
        );
    }
    out.sort();
    out
});

#[divan::bench(args = ["claude_code", "codex", "swe_agent"])]
fn import_transcript(bencher: Bencher, harness: &str) {
    let relative = transcript(harness);
    let bytes = read(relative);
    bencher
        .counter(BytesCount::new(bytes.len()))
        .bench(|| import(relative, black_box(&bytes)));
}

#[divan::bench(args = ["claude_code", "codex", "swe_agent"])]
fn digest_session(bencher: Bencher, harness: &str) {
    let relative = transcript(harness);
    let session = import(relative, &read(relative));
    bencher
        .counter(ItemsCount::new(session.events.len()))
        .bench(|| lucid_core::digest::digest_session(black_box(&session)));
}

#[divan::bench]
fn analyze_sentences(bencher: Bencher) {
    let sentences = &*SENTENCES;
    bencher.counter(ItemsCount::new(sentences.len())).bench(|| {
        sentences
            .iter()
            .map(|s| text::analyze(black_box(s)))
            .collect::<Vec<_>>()
    });
}

#[divan::bench]
fn same_statement_all_pairs(bencher: Bencher) {
    let analyses: Vec<text::Analysis> = SENTENCES.iter().map(|s| text::analyze(s)).collect();
    let pairs = analyses.len() * analyses.len().saturating_sub(1) / 2;
    bencher.counter(ItemsCount::new(pairs)).bench(|| {
        let mut same = 0usize;
        for (i, a) in analyses.iter().enumerate() {
            for b in &analyses[i + 1..] {
                same += usize::from(text::same_statement(black_box(a), black_box(b)));
            }
        }
        same
    });
}

/// The candidate join over 20 copies of the corpus's sentences (each copy with one word of its
/// own, so copies are near-duplicates of each other): the shape of a big fleet's statements.
#[divan::bench]
fn similarity_join(bencher: Bencher) {
    let mut ids = std::collections::HashMap::new();
    let mut sets: Vec<Vec<u32>> = Vec::new();
    for copy in 0..20u32 {
        for sentence in SENTENCES.iter() {
            let mut set: Vec<u32> = text::analyze(sentence)
                .word_set
                .into_iter()
                .map(|w| {
                    let next = ids.len() as u32;
                    *ids.entry(w).or_insert(next)
                })
                .collect();
            set.push(1_000_000 + copy);
            set.sort_unstable();
            sets.push(set);
        }
    }
    bencher
        .counter(ItemsCount::new(sets.len()))
        .bench(|| lucid_core::join::similar_pairs(black_box(&sets), 0.5));
}

/// A megabyte of real Codex rollout: commands, file contents and their output.
fn codex_megabyte() -> String {
    let bytes = read(TRANSCRIPTS[1].1);
    String::from_utf8_lossy(&bytes[..bytes.len().min(1 << 20)]).into_owned()
}

#[divan::bench]
fn redact_tool_output(bencher: Bencher) {
    let text = codex_megabyte();
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| lucid_safety::redact(black_box(&text)).findings.len());
}

#[divan::bench]
fn scan_injection_tool_output(bencher: Bencher) {
    // The prompt-injection scanner every untrusted result meets.
    let text = codex_megabyte();
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| lucid_safety::scan_injection(black_box(&text)).len());
}
