//! `lucid-dev bench-scale`: the PostgreSQL backend next to SQLite, and dream throughput across
//! worker processes (issue 15). Memory writes and reads by 32 concurrent clients against a
//! server on a fresh SQLite file and on a fresh PostgreSQL database, in one run on one machine;
//! then dreams per minute over 100-session dreams with an API node and 1, 2 and 3 worker
//! processes (`lucid serve --role worker`, the product binary beside this one) on one
//! PostgreSQL database. Each measure gets a new database on the server
//! `LUCID_TEST_POSTGRES_URL` names, dropped afterwards. A benchmark, never a test.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use lucid_storage_postgres::testing::{TEST_URL_VARIABLE, TestDatabase};
use lucid_storage_sqlite::{Durability, SqliteStorage};
use serde_json::{Value, json};

use crate::serve_bench::{Phase, memory_phases};

/// Measure the PostgreSQL backend: memory writes/s and reads/s with concurrent clients on
/// SQLite and on PostgreSQL (same machine, same run), and dreams per minute with 1, 2 and 3
/// worker processes plus an API node on one PostgreSQL database.
///
/// The PostgreSQL server is the one `LUCID_TEST_POSTGRES_URL` names (scripts/postgres-test-cluster
/// starts one): each measure gets a new database there, dropped after it. `scripts/benchmarks`
/// turns the throwaway cluster's durability on first (it runs with fsync off for tests) and
/// passes what the server then reports as `--server-settings`.
#[derive(Debug, Args)]
pub struct BenchScaleArgs {
    /// How the PostgreSQL server is configured (e.g. `fsync on, synchronous_commit on`), as
    /// read from it: printed beside its figures, since they depend on it.
    #[arg(long, value_name = "TEXT", default_value = "settings not given")]
    server_settings: String,
    /// Memory requests per phase.
    #[arg(long, default_value_t = 5_000)]
    requests: usize,
    /// Concurrent clients of the memory phases.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Sessions per dream (100 at most, the service's limit).
    #[arg(long, default_value_t = 100)]
    sessions: usize,
    /// Dreams per worker count (a multiple of 6 loads 1, 2 and 3 workers evenly).
    #[arg(long, default_value_t = 24)]
    dreams: usize,
    /// Worker process counts to measure (each runs one dream at a time).
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 2, 3])]
    workers: Vec<usize>,
    /// Print the BENCHMARKS.md section (`scripts/benchmarks` runs this) instead of plain tables.
    #[arg(long)]
    markdown: bool,
}

pub fn run(args: BenchScaleArgs) -> anyhow::Result<u8> {
    if args.requests == 0 || args.concurrency == 0 || args.dreams == 0 {
        bail!("--requests, --concurrency and --dreams must be at least 1");
    }
    if !(1..=100).contains(&args.sessions) {
        bail!("--sessions must be 1 to 100 (a dream reads at most 100)");
    }
    if args.workers.is_empty() || args.workers.contains(&0) {
        bail!("--workers must list worker counts of at least 1");
    }
    if std::env::var_os(TEST_URL_VARIABLE).is_none_or(|url| url.is_empty()) {
        bail!(
            "{TEST_URL_VARIABLE} is not set: start a throwaway PostgreSQL with \
             `eval \"$(scripts/postgres-test-cluster)\"` (scripts/benchmarks does)"
        );
    }
    let settings = args.server_settings.clone();

    eprintln!("bench-scale: memory requests on SQLite…");
    let dir = tempfile::tempdir().context("temporary folder")?;
    let sqlite = memory_phases(
        Arc::new(SqliteStorage::open_with(
            &dir.path().join("bench.db"),
            Durability::Full,
        )?),
        args.requests,
        args.concurrency,
    )?;
    // PostgreSQL as `lucid serve` opens it (at most 16 connections, kept open; requests beyond
    // wait for one), then with one connection per client.
    let default_pool = lucid_storage_postgres::PostgresOptions::default().pool_size;
    let mut postgres = Vec::new();
    for pool_size in [default_pool, args.concurrency.max(default_pool)] {
        eprintln!("bench-scale: memory requests on PostgreSQL, {pool_size} connections…");
        let database = scratch_database()?;
        let storage = lucid_storage_postgres::PostgresStorage::open_with(
            database.url(),
            lucid_storage_postgres::PostgresOptions {
                pool_size,
                max_connections: pool_size,
                ..Default::default()
            },
        )?;
        let phases = memory_phases(Arc::new(storage), args.requests, args.concurrency)?;
        postgres.push((pool_size, phases));
    }

    let load_before = load_average();
    let dreams = measure_dreams(&args)?;
    let load = format!("{load_before} before the dreams, {} after", load_average());
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if args.markdown {
        print!(
            "{}",
            markdown(&args, cpus, &settings, &load, &sqlite, &postgres, &dreams)
        );
    } else {
        print!(
            "{}",
            tables(&args, cpus, &settings, &load, &sqlite, &postgres, &dreams)
        );
    }
    Ok(0)
}

/// A new database on the server `LUCID_TEST_POSTGRES_URL` names, dropped when it goes out of
/// scope.
fn scratch_database() -> anyhow::Result<TestDatabase> {
    TestDatabase::create().with_context(|| format!("{TEST_URL_VARIABLE} is not set"))
}

/// A `lucid serve` child process; SIGKILLed when dropped if it is still running.
struct ServeProcess {
    child: std::process::Child,
    url: Option<String>,
}

impl ServeProcess {
    /// Starts `lucid serve --role ROLE` on `db` and waits until it says it is ready.
    fn start(db: &str, config: &Path, role: &str) -> anyhow::Result<ServeProcess> {
        let mut child = Command::new(crate::product_binary()?)
            .args(["serve", "--role", role, "--workers", "1", "--log", "warn"])
            .args(["--addr", "127.0.0.1:0", "--open", "--db", db, "--config"])
            .arg(config)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting lucid serve")?;
        let stderr = child.stderr.take().context("stderr")?;
        let mut lines = std::io::BufReader::new(stderr).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("listening on ") {
                        break Some(url.trim().to_string());
                    }
                    if line.starts_with("worker running on ") {
                        break None;
                    }
                }
                _ => bail!("lucid serve --role {role} ended before it was ready"),
            }
        };
        // Keep draining its log so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(ServeProcess { child, url })
    }

    /// CPU seconds (user and system) the process has used so far, from `/proc` (Linux).
    fn cpu_seconds(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // The fields after the command name (which may hold spaces) start with the state,
        // field 3; utime and stime are fields 14 and 15, in clock ticks.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: f64 =
            fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        Some(ticks / CLOCK_TICKS_PER_SECOND)
    }

    /// SIGTERM, then waits for the exit (running dreams finish first).
    fn stop(mut self) -> anyhow::Result<()> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        if !status.success() {
            bail!("kill -TERM failed");
        }
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Dreams per minute with one worker count.
struct DreamRow {
    workers: usize,
    dreams: usize,
    wall: Duration,
    /// The mean of each dream's own run time (started to ended, as the server recorded them).
    mean_dream: Duration,
    /// CPU seconds the worker processes spent, per dream.
    worker_cpu_per_dream: f64,
    /// How busy the machine's CPUs were during the row (every process, PostgreSQL included).
    machine_busy: f64,
}

impl DreamRow {
    fn per_minute(&self) -> f64 {
        self.dreams as f64 * 60.0 / self.wall.as_secs_f64()
    }
}

/// What the dream measure read: the sessions' events, and a row per worker count.
struct DreamMeasure {
    events: u64,
    rows: Vec<DreamRow>,
}

fn measure_dreams(args: &BenchScaleArgs) -> anyhow::Result<DreamMeasure> {
    let fleet = tempfile::tempdir().context("temporary folder")?;
    eprintln!("bench-scale: generating {} sessions…", args.sessions);
    lucid_eval::write_fleet_streaming(
        &lucid_eval::FleetConfig {
            sessions: args.sessions,
            agents: (args.sessions / 10).clamp(4, 50),
            seed: 7,
            events_per_session: 220,
            filler_bytes_per_session: 140_000,
        },
        fleet.path(),
    )
    .context("generating the fleet")?;
    let database = scratch_database()?;
    let config = fleet.path().join("lucid.toml");
    // The dreams' throughput, not the rate limits'.
    std::fs::write(
        &config,
        "[server]\nrate_per_key = 0\nrate_per_address = 0\n",
    )?;
    let api = ServeProcess::start(database.url(), &config, "api")?;
    let base = api.url.clone().context("the API node listens")?;
    crate::install_tls();
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let post = |path: &str, body: &Value| -> anyhow::Result<Value> {
        let response = http.post(format!("{base}{path}")).json(body).send()?;
        let status = response.status();
        let value: Value = response.json()?;
        if !status.is_success() {
            bail!("POST {path}: {status} {value}");
        }
        Ok(value)
    };
    let store = post("/v1/memory_stores", &json!({"name": "bench"}))?["id"]
        .as_str()
        .context("no store id")?
        .to_string();
    for (path, content) in store_documents(&fleet.path().join("store"))? {
        post(
            &format!("/v1/memory_stores/{store}/memories"),
            &json!({"path": path, "content": content}),
        )?;
    }
    eprintln!("bench-scale: importing {} sessions…", args.sessions);
    let sessions = import_sessions(&base, &fleet.path().join("sessions"), &store)?;
    if sessions.len() != args.sessions {
        bail!("{} of {} sessions imported", sessions.len(), args.sessions);
    }
    let mut events = 0;
    for session in &sessions {
        let got: Value = http
            .get(format!("{base}/v1/sessions/{session}"))
            .send()?
            .json()?;
        events += got["event_count"].as_u64().unwrap_or(0);
    }
    let body = json!({
        "inputs": [
            {"type": "memory_store", "memory_store_id": store},
            {"type": "sessions", "session_ids": sessions},
        ],
        "model": "lucid-builtin",
    });
    let mut rows = Vec::new();
    for &count in &args.workers {
        eprintln!(
            "bench-scale: {} dreams with {count} worker(s)…",
            args.dreams
        );
        let workers = (0..count)
            .map(|_| ServeProcess::start(database.url(), &config, "worker"))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let started = Instant::now();
        let busy_before = cpu_jiffies();
        let mut ids = Vec::new();
        for _ in 0..args.dreams {
            ids.push(
                post("/v1/dreams", &body)?["id"]
                    .as_str()
                    .context("no dream id")?
                    .to_string(),
            );
        }
        let mut run_times = Vec::new();
        for id in &ids {
            let deadline = Instant::now() + Duration::from_secs(600);
            let dream = loop {
                let dream: Value = http.get(format!("{base}/v1/dreams/{id}")).send()?.json()?;
                if dream["status"] != "pending" && dream["status"] != "running" {
                    break dream;
                }
                if Instant::now() > deadline {
                    bail!("dream {id} did not end within 10 minutes");
                }
                std::thread::sleep(Duration::from_millis(50));
            };
            if dream["status"] != "completed" {
                bail!("dream {id} ended {}: {}", dream["status"], dream["error"]);
            }
            run_times.push(between(&dream["started_at"], &dream["ended_at"])?);
        }
        let wall = started.elapsed();
        let machine_busy = busy_share(busy_before, cpu_jiffies());
        let worker_cpu: f64 = workers.iter().filter_map(ServeProcess::cpu_seconds).sum();
        for worker in workers {
            worker.stop()?;
        }
        rows.push(DreamRow {
            workers: count,
            dreams: ids.len(),
            wall,
            mean_dream: run_times.iter().sum::<Duration>() / run_times.len().max(1) as u32,
            worker_cpu_per_dream: worker_cpu / ids.len() as f64,
            machine_busy,
        });
    }
    api.stop()?;
    Ok(DreamMeasure { events, rows })
}

/// `/proc`'s clock ticks per second (`USER_HZ`, 100 on every Linux architecture lucid builds
/// for).
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// The machine's CPU time so far, from `/proc/stat`'s first line: (busy, total) in ticks, where
/// busy is all but idle and I/O wait.
fn cpu_jiffies() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let numbers: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|n| n.parse().ok())
        .collect();
    let total: u64 = numbers.iter().take(8).sum();
    let idle = numbers.get(3)? + numbers.get(4)?;
    Some((total - idle, total))
}

/// The share of CPU time that was busy between two readings (0 to 1; 0 without `/proc`).
fn busy_share(before: Option<(u64, u64)>, after: Option<(u64, u64)>) -> f64 {
    match (before, after) {
        (Some((busy0, total0)), Some((busy1, total1))) if total1 > total0 => {
            (busy1 - busy0) as f64 / (total1 - total0) as f64
        }
        _ => 0.0,
    }
}

/// The 1-minute load average, from `/proc/loadavg` ("?" without it).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// The time between two of the server's timestamps.
fn between(start: &Value, end: &Value) -> anyhow::Result<Duration> {
    let parse = |value: &Value| -> anyhow::Result<chrono::DateTime<chrono::FixedOffset>> {
        let text = value.as_str().context("no timestamp")?;
        chrono::DateTime::parse_from_rfc3339(text).with_context(|| format!("timestamp {text}"))
    };
    let (start, end) = (parse(start)?, parse(end)?);
    Ok((end - start).to_std().unwrap_or_default())
}

/// The generated store's Markdown documents as (memory path, content).
fn store_documents(root: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let mut documents = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                let relative = path
                    .strip_prefix(root)?
                    .to_string_lossy()
                    .replace('\\', "/");
                documents.push((format!("/{relative}"), std::fs::read_to_string(&path)?));
            }
        }
    }
    documents.sort();
    Ok(documents)
}

/// Imports every agent's transcripts with `lucid sessions import` (as a user would), attached
/// to `store`; returns the sessions' ids.
fn import_sessions(base: &str, sessions: &Path, store: &str) -> anyhow::Result<Vec<String>> {
    let mut agents: Vec<PathBuf> = std::fs::read_dir(sessions)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir())
        .collect();
    agents.sort();
    let mut ids = Vec::new();
    for folder in agents {
        let agent = folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .context("agent folder")?;
        let output = Command::new(crate::product_binary()?)
            .args(["sessions", "import"])
            .arg(&folder)
            .args(["--agent", &agent, "--store", store])
            .env("LUCID_URL", base)
            .output()
            .context("running lucid sessions import")?;
        if !output.status.success() {
            bail!(
                "lucid sessions import {}: {}",
                folder.display(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        ids.extend(
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .filter_map(|line| line.split('\t').next())
                .filter(|id| !id.is_empty())
                .map(str::to_string),
        );
    }
    Ok(ids)
}

fn memory_rows(out: &mut String, backend: &str, phases: &[Phase], concurrency: usize) {
    for phase in phases {
        let operation = if phase.name.starts_with("POST") {
            "write (POST memory)"
        } else {
            "read (GET memory)"
        };
        out.push_str(&format!(
            "| {backend} | {operation} | {} | {concurrency} | {:.0} | {:.2} | {:.2} | {} |\n",
            phase.latencies.len(),
            phase.per_second(),
            phase.quantile_ms(0.5),
            phase.quantile_ms(0.99),
            phase.errors
        ));
    }
}

fn memory_table(
    args: &BenchScaleArgs,
    sqlite: &[Phase],
    postgres: &[(usize, Vec<Phase>)],
) -> String {
    let mut out = String::from(
        "| backend | operation | requests | clients | req/s | p50 ms | p99 ms | errors |\n\
         |---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    memory_rows(
        &mut out,
        "SQLite (synchronous=FULL)",
        sqlite,
        args.concurrency,
    );
    for (pool_size, phases) in postgres {
        memory_rows(
            &mut out,
            &format!("PostgreSQL, {pool_size} connections"),
            phases,
            args.concurrency,
        );
    }
    out
}

fn dream_table(measure: &DreamMeasure) -> String {
    let mut out = String::from(
        "| worker processes | dreams | wall s | dreams/min | vs 1 worker | mean dream s | \
         worker CPU s per dream | machine CPU busy |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let first = measure.rows.first().map_or(1.0, DreamRow::per_minute);
    for row in &measure.rows {
        out.push_str(&format!(
            "| {} | {} | {:.1} | {:.1} | {:.2}x | {:.2} | {:.2} | {:.0}% |\n",
            row.workers,
            row.dreams,
            row.wall.as_secs_f64(),
            row.per_minute(),
            row.per_minute() / first,
            row.mean_dream.as_secs_f64(),
            row.worker_cpu_per_dream,
            row.machine_busy * 100.0
        ));
    }
    out
}

/// Writes/s and reads/s of a backend's two memory phases.
fn rates(phases: &[Phase]) -> Option<(f64, f64)> {
    Some((phases.first()?.per_second(), phases.get(1)?.per_second()))
}

/// The scaling ratio of the last worker count against the first (3 against 1 by default).
fn ratio(measure: &DreamMeasure) -> Option<(usize, usize, f64)> {
    let (first, last) = (measure.rows.first()?, measure.rows.last()?);
    Some((
        first.workers,
        last.workers,
        last.per_minute() / first.per_minute(),
    ))
}

fn tables(
    args: &BenchScaleArgs,
    cpus: usize,
    settings: &str,
    load: &str,
    sqlite: &[Phase],
    postgres: &[(usize, Vec<Phase>)],
    dreams: &DreamMeasure,
) -> String {
    let mut out = format!(
        "lucid-dev bench-scale: {cpus} CPU(s), PostgreSQL: {settings}; memory phases of {} \
         requests by {} clients\n",
        args.requests, args.concurrency
    );
    out.push_str(&memory_table(args, sqlite, postgres));
    out.push_str(&format!(
        "\n{} dreams of {} sessions ({} events) per worker count, an API node and worker \
         processes on one PostgreSQL database\n",
        args.dreams, args.sessions, dreams.events
    ));
    out.push_str(&dream_table(dreams));
    if let Some((first, last, ratio)) = ratio(dreams) {
        out.push_str(&format!(
            "scaling ratio {last} workers / {first}: {ratio:.2} (load average {load})\n"
        ));
    }
    out
}

fn markdown(
    args: &BenchScaleArgs,
    cpus: usize,
    settings: &str,
    load: &str,
    sqlite: &[Phase],
    postgres: &[(usize, Vec<Phase>)],
    dreams: &DreamMeasure,
) -> String {
    let mut out = String::from("\n## Scale-out on PostgreSQL (`lucid-dev bench-scale`)\n\n");
    out.push_str(&format!(
        "Measured on this machine ({cpus} CPU(s)), the PostgreSQL server on the same machine \
         ({settings}). **Memory API**: {} requests per phase by {} concurrent clients against \
         a server on 127.0.0.1 (in process, rate limits off), on a new SQLite file and on a new \
         PostgreSQL database, one after the other in one run; PostgreSQL once with the connections \
         `lucid serve` keeps by default (`[server] database_max_connections`, kept open; \
         requests beyond them wait for one) and once with one connection per client.\n\n",
        args.requests, args.concurrency
    ));
    out.push_str(&memory_table(args, sqlite, postgres));
    let default_pool = postgres.first().and_then(|(_, phases)| rates(phases));
    if let (Some(sqlite_rates), Some(postgres_rates)) = (rates(sqlite), default_pool) {
        out.push_str(&format!(
            "\nWith the default pool PostgreSQL answered {:.2}x SQLite's writes/s and {:.2}x its \
             reads/s: each request crosses a TCP connection to the database server and runs its \
             own transaction there, where SQLite is a file inside the process, and writes from \
             every node wait for one advisory lock, as SQLite's wait for its write lock. With \
             more clients than connections, the requests beyond them wait for a free one \
             (compare the two PostgreSQL rows' p99).\n",
            postgres_rates.0 / sqlite_rates.0,
            postgres_rates.1 / sqlite_rates.1
        ));
    }
    out.push_str(&format!(
        "\n**Dreams per minute**: {} dreams of {} generated sessions ({} events) per row, \
         created at once through an API node (`lucid serve --role api`) while 1, 2 or 3 worker \
         processes (`lucid serve --role worker --workers 1`: one dream at a time each) claim \
         them from one PostgreSQL database; wall time from the first request to the last \
         completion.\n\n",
        args.dreams, args.sessions, dreams.events
    ));
    out.push_str(&dream_table(dreams));
    if let (Some((first, last, ratio)), Some(one)) = (ratio(dreams), dreams.rows.first()) {
        out.push_str(&format!(
            "\nThe scaling ratio, {last} workers against {first}: **{ratio:.2}x**. A dream is \
             CPU work: the worker reads its sessions' {events} events from PostgreSQL, digests \
             and curates them and writes the output ({cpu:.2} CPU seconds per dream with one \
             worker), and PostgreSQL spends CPU serving those events and taking the writes. \
             With one worker this machine's {cpus} core(s) were {busy:.0}% busy; more workers \
             can only fill what is left, so throughput grows with workers only while there are \
             idle cores (up to {cpus} workers here), and beyond that each dream just takes \
             longer (the mean dream time; load average {load}: anything else running on the \
             machine takes cores from the workers too). Writes \
             from all nodes are serialised by one advisory lock (one writer at a time, as \
             SQLite's), which costs little next to the computing. Add worker processes where \
             there are idle cores, on this machine or others: that is what they scale with.\n",
            events = dreams.events,
            cpu = one.worker_cpu_per_dream,
            busy = one.machine_busy * 100.0,
        ));
    }
    out
}
