//! `lucid-dev bench`: dream speed and memory at growing fleet sizes, next to the JSON-parse floor.
//!
//! Each size gets a generated fleet (≈ 220 events and ≈ 140 kB per session, so 100 sessions are
//! ≈ 14 MB). The dream runs as a child `lucid dream` process (the product binary beside this
//! one, or `LUCID_BIN`) so its wall time and peak memory are its own; the floor is the time to
//! parse the same bytes with `serde_json` alone, on the same number of threads.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use rayon::prelude::*;

/// Measure dream time and peak memory on generated fleets of growing size.
///
/// Prints one table: sessions, events, MB of transcripts, dream wall time, peak memory,
/// events/s, MB/s, the bare JSON-parse time of the same bytes (the floor), and the growth ratio
/// between consecutive sizes. Fleets are generated once per size under --dir and reused.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Fleet sizes (sessions) to measure.
    #[arg(long, value_delimiter = ',', default_values_t = [100usize, 1_000, 10_000])]
    pub sizes: Vec<usize>,

    /// Where generated fleets are kept (reused between runs). Default: a temporary folder.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Events per generated session.
    #[arg(long, default_value_t = 220)]
    pub events_per_session: usize,

    /// Bytes of realistic filler content per generated session.
    #[arg(long, default_value_t = 140_000)]
    pub bytes_per_session: usize,

    /// Print the whole BENCHMARKS.md document: machine and date, this speed table, curation
    /// quality on generated fleets, LoCoMo retrieval, and the peer comparisons (datasketch
    /// MinHashLSH, bm25s) when the Python packages are available. `scripts/benchmarks` runs this.
    #[arg(long)]
    pub markdown: bool,

    /// Python with `datasketch`, `bm25s` (and PyStemmer) for the peer comparisons.
    #[arg(long, value_name = "PATH", default_value = ".venv-bench/bin/python")]
    pub python: PathBuf,

    /// The LoCoMo data file.
    #[arg(
        long,
        value_name = "FILE",
        default_value = "../shared/data/locomo/locomo10.json"
    )]
    pub locomo: PathBuf,
}

/// One measured size.
pub struct Row {
    pub sessions: usize,
    pub events: u64,
    pub bytes: u64,
    pub dream_seconds: f64,
    pub peak_bytes: Option<u64>,
    pub parse_seconds: f64,
}

pub fn run(args: BenchArgs) -> anyhow::Result<u8> {
    let temp;
    let root = match &args.dir {
        Some(dir) => dir.clone(),
        None => {
            temp = tempfile_dir()?;
            temp.clone()
        }
    };
    let mut rows = Vec::new();
    for &sessions in &args.sizes {
        let fleet = root.join(format!("fleet-{sessions}"));
        ensure_fleet(&fleet, sessions, &args)?;
        eprintln!("bench: dreaming {sessions} sessions…");
        rows.push(measure(&fleet, sessions)?);
    }
    if args.markdown {
        print!("{}", document(&rows, &root, &args)?);
    } else {
        print!("{}", table(&rows, false));
    }
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&root);
    }
    Ok(0)
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("lucid-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn ensure_fleet(dir: &Path, sessions: usize, args: &BenchArgs) -> anyhow::Result<()> {
    let marker = dir.join(".complete");
    if marker.exists() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(dir);
    eprintln!(
        "bench: generating a fleet of {sessions} sessions in {}…",
        dir.display()
    );
    let config = lucid_eval::FleetConfig {
        sessions,
        agents: (sessions / 10).clamp(4, 50),
        seed: 7,
        events_per_session: args.events_per_session,
        filler_bytes_per_session: args.bytes_per_session,
    };
    lucid_eval::write_fleet_streaming(&config, dir)
        .with_context(|| format!("generating the fleet in {}", dir.display()))?;
    std::fs::write(&marker, b"").context("marking the fleet complete")?;
    Ok(())
}

fn measure(fleet: &Path, sessions: usize) -> anyhow::Result<Row> {
    let out = fleet.join("draft");
    let report = fleet.join("report.json");
    let _ = std::fs::remove_dir_all(&out);
    let exe = crate::product_binary()?;
    let started = Instant::now();
    let output = Command::new(exe)
        .arg("dream")
        .arg("--store")
        .arg(fleet.join("store"))
        .arg("--sessions")
        .arg(fleet.join("sessions"))
        .arg("--out")
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .arg("--max-sessions")
        .arg(sessions.to_string())
        .output()
        .context("running lucid dream")?;
    let dream_seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("lucid dream failed on {}: {stderr}", fleet.display());
    }
    let peak_bytes = stderr
        .split("peak memory ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|mib| mib.parse::<f64>().ok())
        .map(|mib| (mib * 1_048_576.0) as u64);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).context("reading the report")?)
            .context("parsing the report")?;
    let events = report["stats"]["events_read"].as_u64().unwrap_or(0);
    let files = lucid_fs::find_transcripts(&[fleet.join("sessions")])?;
    let (bytes, parse_seconds) = json_parse_floor(&files);
    let _ = std::fs::remove_dir_all(&out);
    Ok(Row {
        sessions,
        events,
        bytes,
        dream_seconds,
        peak_bytes,
        parse_seconds,
    })
}

/// Reads and parses every transcript into `serde_json::Value` (line by line for JSONL), on the
/// same thread pool as the dream: the least any importer must do.
fn json_parse_floor(files: &[PathBuf]) -> (u64, f64) {
    let started = Instant::now();
    let bytes: u64 = files
        .par_iter()
        .map(|file| {
            let Ok(data) = std::fs::read(file) else {
                return 0;
            };
            if serde_json::from_slice::<serde_json::Value>(&data).is_err() {
                for line in data.split(|b| *b == b'\n') {
                    if !line.is_empty() {
                        let _ = serde_json::from_slice::<serde_json::Value>(line);
                    }
                }
            }
            data.len() as u64
        })
        .sum();
    (bytes, started.elapsed().as_secs_f64())
}

fn table(rows: &[Row], markdown: bool) -> String {
    let mut out = String::new();
    let header = [
        "sessions",
        "events",
        "MB",
        "dream s",
        "peak MiB",
        "events/s",
        "MB/s",
        "parse-only s",
        "growth",
    ];
    let mut lines = Vec::new();
    let mut previous: Option<&Row> = None;
    for row in rows {
        let mb = row.bytes as f64 / 1e6;
        let growth = previous.map_or("-".to_string(), |p| {
            format!(
                "{:.1}× time for {:.0}× sessions",
                row.dream_seconds / p.dream_seconds.max(1e-9),
                row.sessions as f64 / p.sessions as f64
            )
        });
        lines.push(vec![
            row.sessions.to_string(),
            row.events.to_string(),
            format!("{mb:.1}"),
            format!("{:.2}", row.dream_seconds),
            row.peak_bytes.map_or("?".to_string(), |b| {
                format!("{:.0}", b as f64 / 1_048_576.0)
            }),
            format!("{:.0}", row.events as f64 / row.dream_seconds.max(1e-9)),
            format!("{:.0}", mb / row.dream_seconds.max(1e-9)),
            format!("{:.2}", row.parse_seconds),
            growth,
        ]);
        previous = Some(row);
    }
    if markdown {
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
        for line in lines {
            out.push_str(&format!("| {} |\n", line.join(" | ")));
        }
    } else {
        let widths: Vec<usize> = (0..header.len())
            .map(|i| {
                lines
                    .iter()
                    .map(|l| l[i].chars().count())
                    .chain([header[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let fmt = |cells: Vec<String>| {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:>w$}"))
                .collect::<Vec<_>>()
                .join("  ")
        };
        out.push_str(&fmt(header.iter().map(|h| h.to_string()).collect()));
        out.push('\n');
        for line in lines {
            out.push_str(&fmt(line));
            out.push('\n');
        }
    }
    out
}

/// The machine, as far as the OS tells.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or("? GiB".to_string(), |kb| {
            format!("{:.0} GiB", kb / 1_048_576.0)
        });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "{cpu}, {cores} cores, {memory} RAM, Linux {}",
        kernel.trim()
    )
}

/// Runs `scripts/compare.py` with the given python; `None` with a reason when it cannot.
fn python_peer(python: &Path, args: &[&str]) -> Result<serde_json::Value, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/compare.py");
    let output = Command::new(python)
        .arg(&script)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ));
    }
    let value: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("bad output: {e}"))?;
    match value.get("skipped").and_then(|s| s.as_str()) {
        Some(reason) => Err(reason.to_string()),
        None => Ok(value),
    }
}

/// The whole BENCHMARKS.md.
fn document(rows: &[Row], root: &Path, args: &BenchArgs) -> anyhow::Result<String> {
    use lucid_eval::score;
    let mut doc = String::new();
    doc.push_str("# Benchmarks\n\n");
    doc.push_str(&format!(
        "Generated by `scripts/benchmarks` (`lucid-dev bench --markdown`) on {} UTC. Do not edit by hand.\n\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M")
    ));
    doc.push_str(&format!(
        "Machine: {}. Release build, built-in curator (the token table runs the model pass \
         against a fake provider).\n\n",
        machine()
    ));

    doc.push_str("## Dream speed and memory\n\n");
    doc.push_str(&format!(
        "Generated fleets of ≈ {} events and ≈ {} kB per session in all five transcript formats. \
         `dream s` is the wall time of a `lucid dream` process (read, import, digest, curate, \
         write); `peak MiB` its peak resident memory; `parse-only s` the time to parse the same \
         bytes with `serde_json` alone on the same threads (the floor).\n\n",
        args.events_per_session,
        args.bytes_per_session / 1000
    ));
    doc.push_str(&table(rows, true));
    doc.push('\n');

    eprintln!("bench: scoring generated fleets…");
    doc.push_str("## Curation quality on generated fleets\n\n");
    doc.push_str(
        "`lucid-dev eval run`: a fleet with planted truth is generated, dreamed with its \
         instructions, and scored by planted identifiers (see `crates/lucid-eval`).\n\n",
    );
    let mut cards = Vec::new();
    for (sessions, seed) in [(40, 0), (40, 1), (40, 2), (100, 0)] {
        let config = lucid_eval::FleetConfig::new(sessions, 6, seed);
        let (card, _) = crate::eval::run_fleet(&config, None, true)?;
        cards.push((format!("{sessions} sessions, seed {seed}"), card));
    }
    let named: Vec<(&str, &score::Scorecard)> =
        cards.iter().map(|(n, c)| (n.as_str(), c)).collect();
    doc.push_str(&score::table(&named, true));
    doc.push('\n');

    doc.push_str("## LoCoMo: retrieval over a dreamed store\n\n");
    let locomo = if args.locomo.is_file() {
        eprintln!("bench: LoCoMo…");
        let result = crate::locomo::evaluate(&args.locomo, None)?;
        doc.push_str(
            "Each conversation dreamed with conversation episodes on; evidence-turn recall of \
             BM25 over the store's items (their evidence turns) vs BM25 over raw turns, \
             questions of categories 1–4.\n\n",
        );
        doc.push_str(&crate::locomo::render(&result, true));
        Some(result)
    } else {
        doc.push_str(&format!("Skipped: {} is absent.\n", args.locomo.display()));
        None
    };
    doc.push('\n');

    eprintln!("bench: model-backed curation tokens…");
    doc.push_str("## Model-backed curation: tokens per dream\n\n");
    let tokens = crate::bench_tokens::measure(100, 6, 0, lucid_llm::Wire::Anthropic, None)?;
    doc.push_str(&crate::bench_tokens::markdown(&tokens));
    doc.push('\n');

    eprintln!("bench: peer comparisons…");
    doc.push_str("## Side by side with peers\n\n");
    doc.push_str(&near_duplicate_comparison(root, rows, &args.python)?);
    doc.push('\n');
    match (&locomo, args.locomo.is_file()) {
        (Some(result), true) => {
            let (n, ms, r10) = crate::locomo::raw_summary(result);
            doc.push_str("### BM25 on LoCoMo raw turns: lucid-search vs bm25s\n\n");
            doc.push_str("| implementation | questions | R@10 | ms / query |\n|---|---|---|---|\n");
            doc.push_str(&format!(
                "| lucid-search (Rust) | {n} | {r10:.3} | {ms:.3} |\n"
            ));
            let locomo_arg = args.locomo.display().to_string();
            match python_peer(&args.python, &["bm25", &locomo_arg]) {
                Ok(peer) => doc.push_str(&format!(
                    "| {} | {} | {:.3} | {:.3} |\n",
                    peer["tool"].as_str().unwrap_or("bm25s"),
                    peer["questions"],
                    peer["recall"]["10"].as_f64().unwrap_or(0.0),
                    peer["ms_per_query"].as_f64().unwrap_or(0.0)
                )),
                Err(reason) => doc.push_str(&format!("\nbm25s skipped: {reason}\n")),
            }
        }
        _ => doc.push_str("bm25s comparison skipped: no LoCoMo data.\n"),
    }
    Ok(doc)
}

/// lucid's near-duplicate detection (the curator's merge on the store alone) vs datasketch's
/// MinHashLSH, on the store of the largest generated fleet, against its planted duplicates.
fn near_duplicate_comparison(root: &Path, rows: &[Row], python: &Path) -> anyhow::Result<String> {
    let Some(largest) = rows.iter().map(|r| r.sessions).max() else {
        return Ok(String::new());
    };
    let fleet = root.join(format!("fleet-{largest}"));
    let truth = lucid_eval::read_truth(&fleet.join("truth.json"))?;
    let store = lucid_fs::read_store(&fleet.join("store"))?;
    let started = Instant::now();
    let output = lucid_core::dream(
        &store,
        Vec::new(),
        Vec::new(),
        &lucid_core::DreamOptions::default(),
    )?;
    let ours_seconds = started.elapsed().as_secs_f64();
    let report_text = serde_json::to_string(&output.report)?;
    let card =
        lucid_eval::score::score(&truth, &store, &output.draft, &output.report, &report_text);
    // The same items and planted pairs for the peer.
    let texts: Vec<String> = store
        .documents
        .iter()
        .flat_map(|d| lucid_core::markdown::parse_blocks(&d.content))
        .filter_map(|b| match b {
            lucid_core::markdown::Block::Item(item) => Some(item.text),
            lucid_core::markdown::Block::Heading(_) => None,
        })
        .collect();
    let index: std::collections::HashMap<&str, usize> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let mut pairs = Vec::new();
    for group in &truth.duplicates {
        let ids: Vec<usize> = group
            .texts
            .iter()
            .filter_map(|t| index.get(t.as_str()).copied())
            .collect();
        for (a, i) in ids.iter().enumerate() {
            for j in &ids[a + 1..] {
                pairs.push([*i, *j]);
            }
        }
    }
    let items_file = root.join("near-dup-items.json");
    std::fs::write(
        &items_file,
        serde_json::to_vec(&serde_json::json!({"texts": texts, "pairs": pairs}))?,
    )?;
    let mut out = format!(
        "### Near-duplicate detection: {} store items of the {largest}-session fleet, {} planted duplicate pairs\n\n",
        texts.len(),
        pairs.len()
    );
    out.push_str("| implementation | seconds | precision | recall | F1 |\n|---|---|---|---|---|\n");
    out.push_str(&format!(
        "| lucid (prefix-filter join + duplicate rules, whole store curation) | {:.3} | {:.2} | {:.2} | {:.2} |\n",
        ours_seconds, card.duplicates.precision, card.duplicates.recall, card.duplicates.f1
    ));
    match python_peer(python, &["near-dup", &items_file.display().to_string()]) {
        Ok(peer) => out.push_str(&format!(
            "| {} | {:.3} | {:.2} | {:.2} | {:.2} |\n",
            peer["tool"].as_str().unwrap_or("datasketch"),
            peer["seconds"].as_f64().unwrap_or(0.0),
            peer["precision"].as_f64().unwrap_or(0.0),
            peer["recall"].as_f64().unwrap_or(0.0),
            peer["f1"].as_f64().unwrap_or(0.0)
        )),
        Err(reason) => out.push_str(&format!("\ndatasketch skipped: {reason}\n")),
    }
    Ok(out)
}
