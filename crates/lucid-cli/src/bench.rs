//! `lucid bench`: dream speed and memory at growing fleet sizes, next to the JSON-parse floor.
//!
//! Each size gets a generated fleet (≈ 220 events and ≈ 140 kB per session, so 100 sessions are
//! ≈ 14 MB). The dream runs as a child `lucid dream` process so its wall time and peak memory
//! are its own; the floor is the time to parse the same bytes with `serde_json` alone, on the
//! same number of threads.

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

    /// Print the table as Markdown (for BENCHMARKS.md).
    #[arg(long)]
    pub markdown: bool,
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
    print_table(&rows, args.markdown);
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
    let exe = std::env::current_exe().context("finding the lucid executable")?;
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

fn print_table(rows: &[Row], markdown: bool) {
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
        println!("| {} |", header.join(" | "));
        println!("|{}", "---|".repeat(header.len()));
        for line in lines {
            println!("| {} |", line.join(" | "));
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
        println!("{}", fmt(header.iter().map(|h| h.to_string()).collect()));
        for line in lines {
            println!("{}", fmt(line));
        }
    }
}
