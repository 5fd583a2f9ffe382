//! `lucid-dev bench-search`: memory search at 100,000 items in one store — index build time and
//! memory, query latency in process (lucid-search), through the service's persistent SQLite
//! FTS5 index, and over HTTP with concurrent clients against a real `lucid serve` on
//! 127.0.0.1. A benchmark, never a test.
//!
//! The store is generated: items of 6 to 14 words drawn from a 20,000-word vocabulary with
//! Zipf-distributed frequencies (the 50 most frequent ranks left out, as stop words are), a
//! third of them carrying an identifier (`db-417.internal`, `render_docx_12`,
//! `--force-with-lease-3`). Queries are drawn the same way (three words, a quarter with an
//! identifier), so common query words hit thousands of items, as they do in real stores.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use lucid_server::{AppState, Config};
use lucid_storage::{NewStore, Storage};
use lucid_storage_sqlite::SqliteStorage;

/// Measure memory search at scale: build time and memory for N items, query latency in
/// process, through the service's index, and over HTTP with concurrent clients.
#[derive(Debug, Args)]
pub struct BenchSearchArgs {
    /// Items in the store.
    #[arg(long, default_value_t = 100_000)]
    items: usize,
    /// Items per memory file.
    #[arg(long, default_value_t = 100)]
    items_per_file: usize,
    /// Queries per measurement.
    #[arg(long, default_value_t = 2_000)]
    queries: usize,
    /// Concurrent HTTP clients.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Results per query.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Print a Markdown section for BENCHMARKS.md instead of plain lines.
    #[arg(long)]
    markdown: bool,
}

/// A small deterministic generator (xorshift64*): the same store and queries on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const VOCABULARY: usize = 20_000;
const SKIPPED_RANKS: usize = 50;
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "pe", "da", "gri", "sto", "bel", "mar", "fen",
    "tor", "qui", "zan", "hul", "rey",
];

struct Words {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Words {
    fn new() -> Words {
        let words = (0..VOCABULARY)
            .map(|mut i| {
                let mut word = String::new();
                for _ in 0..3 {
                    word.push_str(SYLLABLES[i % SYLLABLES.len()]);
                    i /= SYLLABLES.len();
                }
                word
            })
            .collect();
        let mut total = 0.0;
        let cumulative = (SKIPPED_RANKS..VOCABULARY + SKIPPED_RANKS)
            .map(|rank| {
                total += 1.0 / (rank as f64 + 1.0);
                total
            })
            .collect();
        Words { words, cumulative }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let at = self
            .cumulative
            .partition_point(|&c| c < rng.unit() * total)
            .min(self.words.len() - 1);
        &self.words[at]
    }

    fn identifier(rng: &mut Rng) -> String {
        let n = rng.below(1_000);
        match rng.below(3) {
            0 => format!("db-{n}.internal"),
            1 => format!("render_docx_{n}"),
            _ => format!("--force-with-lease-{n}"),
        }
    }

    fn text(&self, rng: &mut Rng, words: usize, identifier_odds: f64) -> String {
        let mut parts: Vec<String> = (0..words).map(|_| self.word(rng).to_string()).collect();
        if rng.unit() < identifier_odds {
            let at = rng.below(parts.len() + 1);
            parts.insert(at, Self::identifier(rng));
        }
        parts.join(" ")
    }
}

/// Percentiles of latencies, in milliseconds.
struct Latency {
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
    per_second: f64,
}

fn latency(mut samples: Vec<Duration>, wall: Duration) -> Latency {
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
        samples[i].as_secs_f64() * 1e3
    };
    Latency {
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        max: at(1.0),
        per_second: samples.len() as f64 / wall.as_secs_f64().max(1e-9),
    }
}

fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

pub fn run(args: BenchSearchArgs) -> anyhow::Result<u8> {
    anyhow::ensure!(args.items > 0 && args.items_per_file > 0 && args.queries > 0);
    let words = Words::new();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let files: Vec<(String, String)> = (0..args.items.div_ceil(args.items_per_file))
        .map(|f| {
            let count = args
                .items_per_file
                .min(args.items - f * args.items_per_file);
            let mut content = format!("# Topic {f}\n\n");
            for _ in 0..count {
                let length = 6 + rng.below(9);
                content.push_str("- ");
                content.push_str(&words.text(&mut rng, length, 1.0 / 3.0));
                content.push('\n');
            }
            (format!("/topics/t{f:05}.md"), content)
        })
        .collect();
    let queries: Vec<String> = (0..args.queries)
        .map(|_| words.text(&mut rng, 3, 0.25))
        .collect();
    let bytes: usize = files.iter().map(|(_, c)| c.len()).sum();

    // In process: lucid-search's index.
    let before = resident_bytes();
    let started = Instant::now();
    let index =
        lucid_search::MemoryIndex::build(files.iter().map(|(p, c)| (p.as_str(), c.as_str())));
    let build = started.elapsed();
    let index_memory = resident_bytes()
        .zip(before)
        .map(|(after, before)| after.saturating_sub(before));
    anyhow::ensure!(index.len() == args.items, "generated {} items", index.len());
    let mut samples = Vec::with_capacity(queries.len());
    let mut matched = 0usize;
    let started = Instant::now();
    for query in &queries {
        let one = Instant::now();
        matched += usize::from(!index.search(query, args.limit).is_empty());
        samples.push(one.elapsed());
    }
    let in_process = latency(samples, started.elapsed());
    drop(index);

    // The service: the persistent index, filled by the memory writes themselves.
    let dir = tempfile::tempdir().context("temporary folder")?;
    let db = dir.path().join("lucid.db");
    let storage = Arc::new(SqliteStorage::open(&db)?);
    let (_, key) = storage.create_api_key("bench", None)?;
    let ws = storage.ensure_workspace("bench")?.id;
    let store = storage
        .create_store(
            &ws,
            NewStore {
                name: "bench".into(),
                ..NewStore::default()
            },
        )?
        .id;
    let started = Instant::now();
    for (path, content) in &files {
        storage.create_memory(&ws, &store, path, content, None)?;
    }
    let service_build = started.elapsed();
    let db_bytes: u64 = ["", "-wal"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db.display())).ok())
        .map(|m| m.len())
        .sum();
    let mut samples = Vec::with_capacity(queries.len());
    let started = Instant::now();
    for query in &queries {
        let one = Instant::now();
        storage.search_memories_in_index(&ws, &store, query, args.limit)?;
        samples.push(one.elapsed());
    }
    let service_fts = latency(samples, started.elapsed());
    // The service's in-process cache of the store's index, built in the background.
    let started = Instant::now();
    anyhow::ensure!(
        storage.wait_for_search_cache(&ws, &store, Duration::from_secs(120)),
        "the search cache was not built within 2 minutes"
    );
    let cache_build = started.elapsed();
    let mut samples = Vec::with_capacity(queries.len());
    let started = Instant::now();
    for query in &queries {
        let one = Instant::now();
        storage.search_memories(&ws, &store, query, args.limit)?;
        samples.push(one.elapsed());
    }
    let service_direct = latency(samples, started.elapsed());

    // Over HTTP: a real server on 127.0.0.1, concurrent clients, keys required as in production
    // (rate limits off: they would measure the limiter, not search).
    let config = Config {
        limits: lucid_server::Limits::default().unlimited_rates(),
        ..Config::default()
    };
    let state = AppState::new(storage.clone(), config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let concurrency = args.concurrency.max(1);
    let limit = args.limit;
    let (over_http, failures) = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(lucid_server::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        crate::install_tls();
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency)
            .build()?;
        let url = format!("{base}/v1/memory_stores/{store}/search");
        let queries = Arc::new(queries);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for client in 0..concurrency {
            let (http, url, key, queries) =
                (http.clone(), url.clone(), key.clone(), queries.clone());
            tasks.push(tokio::spawn(async move {
                let mut samples = Vec::new();
                let mut failures = 0usize;
                for query in queries.iter().skip(client).step_by(concurrency) {
                    let one = Instant::now();
                    let ok = http
                        .get(&url)
                        .header("x-api-key", &key)
                        .query(&[("q", query.as_str()), ("limit", &limit.to_string())])
                        .send()
                        .await
                        .map(|r| r.status().is_success());
                    match ok {
                        Ok(true) => samples.push(one.elapsed()),
                        _ => failures += 1,
                    }
                }
                (samples, failures)
            }));
        }
        let mut samples = Vec::new();
        let mut failures = 0;
        for task in tasks {
            let (s, f) = task.await?;
            samples.extend(s);
            failures += f;
        }
        let wall = started.elapsed();
        let _ = stop.send(());
        let _ = server.await;
        anyhow::Ok((latency(samples, wall), failures))
    })?;
    anyhow::ensure!(failures == 0, "{failures} HTTP searches failed");

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
    let row = |name: &str, l: &Latency| {
        format!(
            "| {name} | {:.3} | {:.3} | {:.3} | {:.3} | {:.0} |",
            l.p50, l.p95, l.p99, l.max, l.per_second
        )
    };
    if args.markdown {
        println!("## Memory search: {} items in one store", args.items);
        println!();
        println!(
            "`lucid-dev bench-search` (release build): {} items ({:.1} MB of Markdown in {} files), \
             {} queries of three words (a quarter with an identifier), top {}; {} of the queries \
             matched something. HTTP: {} concurrent clients against `lucid serve` on 127.0.0.1, \
             keys required, in the same process.",
            args.items,
            mb(bytes as u64),
            files.len(),
            args.queries,
            args.limit,
            matched,
            concurrency
        );
        println!();
        println!("| search | p50 ms | p95 ms | p99 ms | max ms | queries/s |");
        println!("| --- | ---: | ---: | ---: | ---: | ---: |");
        println!("{}", row("in process (lucid-search BM25)", &in_process));
        println!(
            "{}",
            row(
                "service, direct: FTS5 index alone (cold or stale cache)",
                &service_fts
            )
        );
        println!(
            "{}",
            row(
                "service, direct: Storage::search_memories (cache warm)",
                &service_direct
            )
        );
        println!(
            "{}",
            row(
                &format!("HTTP `GET …/search`, {concurrency} clients"),
                &over_http
            )
        );
        println!();
        println!("| index | build | memory / size |");
        println!("| --- | ---: | ---: |");
        println!(
            "| in process (lucid-search) | {:.0} ms | {} resident |",
            ms(build),
            index_memory.map_or("n/a".into(), |b| format!("{:.0} MB", mb(b)))
        );
        println!(
            "| service (SQLite FTS5, built by the {} memory writes themselves) | {:.1} s | {:.0} MB on disk (database with its content and versions) |",
            files.len(),
            service_build.as_secs_f64(),
            mb(db_bytes)
        );
        println!(
            "| service cache (lucid-search over `memory_items`, background thread) | {:.1} s | (in the server process) |",
            cache_build.as_secs_f64()
        );
    } else {
        println!(
            "items {} ({:.1} MB, {} files), queries {}, matched {matched}",
            args.items,
            mb(bytes as u64),
            files.len(),
            args.queries
        );
        println!(
            "in-process build {:.0} ms, memory {}",
            ms(build),
            index_memory.map_or("n/a".into(), |b| format!("{:.0} MB", mb(b)))
        );
        println!(
            "service build {:.1} s, database {:.0} MB",
            service_build.as_secs_f64(),
            mb(db_bytes)
        );
        println!("service cache build {:.1} s", cache_build.as_secs_f64());
        for (name, l) in [
            ("in process", &in_process),
            ("service fts5", &service_fts),
            ("service direct", &service_direct),
            ("http", &over_http),
        ] {
            println!(
                "{name}: p50 {:.3} ms, p95 {:.3} ms, p99 {:.3} ms, max {:.3} ms, {:.0}/s",
                l.p50, l.p95, l.p99, l.max, l.per_second
            );
        }
    }
    Ok(0)
}
