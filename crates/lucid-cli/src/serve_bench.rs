//! `lucid bench-serve`: throughput and latency of the service under concurrent clients, next to
//! raw SQLite inserts with the same durability (the ceiling). A benchmark, never a test.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use lucid_server::{AppState, Config};
use lucid_storage_sqlite::{Durability, SqliteStorage};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SyncMode {
    /// synchronous=FULL (the server's default): survives power loss.
    Full,
    /// synchronous=NORMAL: survives a process crash.
    Normal,
}

/// Measure the service: memory creates and memory reads with concurrent clients against a real
/// server on 127.0.0.1 (started here on a fresh database), and raw SQLite inserts as the
/// ceiling. Prints throughput and p50/p99 latency.
#[derive(Debug, Args)]
pub struct BenchServeArgs {
    /// Requests per phase.
    #[arg(long, default_value_t = 5_000)]
    requests: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// SQLite durability for the server and the raw ceiling.
    #[arg(long, value_enum, default_value = "full")]
    sync: SyncMode,
}

struct Phase {
    name: &'static str,
    elapsed: Duration,
    latencies: Vec<Duration>,
    errors: usize,
}

impl Phase {
    fn row(&self, concurrency: usize) -> String {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let pick = |q: f64| {
            sorted
                .get(((sorted.len() as f64 * q).ceil() as usize).saturating_sub(1))
                .map_or(0.0, |d| d.as_secs_f64() * 1e3)
        };
        format!(
            "| {:<28} | {:>8} | {:>11} | {:>10.0} | {:>8.2} | {:>8.2} | {:>6} |",
            self.name,
            self.latencies.len(),
            concurrency,
            self.latencies.len() as f64 / self.elapsed.as_secs_f64(),
            pick(0.50),
            pick(0.99),
            self.errors
        )
    }
}

async fn phase<F, Fut>(name: &'static str, requests: usize, concurrency: usize, call: F) -> Phase
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let call = Arc::new(call);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (next, call) = (next.clone(), call.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                let at = Instant::now();
                if call(i).await {
                    latencies.push(at.elapsed());
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::with_capacity(requests);
    let mut errors = 0;
    for task in tasks {
        if let Ok((l, e)) = task.await {
            latencies.extend(l);
            errors += e;
        }
    }
    Phase {
        name,
        elapsed: started.elapsed(),
        latencies,
        errors,
    }
}

pub fn run(args: BenchServeArgs) -> anyhow::Result<u8> {
    if args.requests == 0 || args.concurrency == 0 {
        bail!("--requests and --concurrency must be at least 1");
    }
    let durability = match args.sync {
        SyncMode::Full => Durability::Full,
        SyncMode::Normal => Durability::Normal,
    };
    let dir = tempfile::tempdir().context("temporary folder")?;
    let storage = SqliteStorage::open_with(&dir.path().join("serve.db"), durability)?;
    // A fresh database on 127.0.0.1 with no key: open mode, as asked for explicitly.
    // The engine's throughput, not the rate limits': the buckets are off here.
    let config = Config {
        open: true,
        limits: lucid_server::Limits::default().unlimited_rates(),
        ..Config::default()
    };
    let state = AppState::new(Arc::new(storage), config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (requests, concurrency) = (args.requests, args.concurrency);
    let phases = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(lucid_server::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        crate::client::install_tls();
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency * 2)
            .build()?;
        let store: Value = http
            .post(format!("{base}/v1/memory_stores"))
            .json(&json!({"name": "bench"}))
            .send()
            .await?
            .json()
            .await?;
        let store = store["id"].as_str().context("no store id")?.to_string();
        let ids: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
        let content = "- a memory of about two hundred bytes: the staging database listens on \
                       port 5433; deploys freeze on Fridays; ask before changing billing code. \
                       padding padding padding padding padding\n";
        let create = {
            let (http, base, store, ids) = (http.clone(), base.clone(), store.clone(), ids.clone());
            phase("POST memory (create)", requests, concurrency, move |i| {
                let (http, ids) = (http.clone(), ids.clone());
                let url = format!("{base}/v1/memory_stores/{store}/memories");
                async move {
                    let response = http
                        .post(url)
                        .json(&json!({"path": format!("/bench/{i}.md"), "content": content}))
                        .send()
                        .await;
                    match response {
                        Ok(r) if r.status().is_success() => match r.json::<Value>().await {
                            Ok(memory) => {
                                if let Some(id) = memory["id"].as_str() {
                                    ids.lock()
                                        .unwrap_or_else(|p| p.into_inner())
                                        .push(id.to_string());
                                }
                                true
                            }
                            Err(_) => false,
                        },
                        _ => false,
                    }
                }
            })
            .await
        };
        let ids: Arc<Vec<String>> = Arc::new(ids.lock().unwrap_or_else(|p| p.into_inner()).clone());
        if ids.is_empty() {
            bail!("no memory was created");
        }
        let read = {
            let (http, base, store) = (http.clone(), base.clone(), store.clone());
            phase("GET memory", requests, concurrency, move |i| {
                let http = http.clone();
                let id = ids[(i * 7919) % ids.len()].clone();
                let url = format!("{base}/v1/memory_stores/{store}/memories/{id}");
                async move {
                    matches!(http.get(url).send().await, Ok(r) if r.status().is_success())
                }
            })
            .await
        };
        let _ = stop.send(());
        let _ = server.await;
        anyhow::Ok(vec![create, read])
    })?;
    let raw_path = dir.path().join("raw.db");
    let raw = lucid_storage_sqlite::raw_insert_benchmark(&raw_path, args.requests, durability)?;
    println!(
        "lucid bench-serve: {} requests per phase, synchronous={}, {} CPU(s)",
        args.requests,
        match args.sync {
            SyncMode::Full => "FULL",
            SyncMode::Normal => "NORMAL",
        },
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "| {:<28} | {:>8} | {:>11} | {:>10} | {:>8} | {:>8} | {:>6} |",
        "operation", "requests", "concurrency", "req/s", "p50 ms", "p99 ms", "errors"
    );
    println!(
        "|{:-<30}|{:->10}|{:->13}|{:->12}|{:->10}|{:->10}|{:->8}|",
        "", "", "", "", "", "", ""
    );
    for phase in &phases {
        println!("{}", phase.row(args.concurrency));
    }
    println!(
        "| {:<28} | {:>8} | {:>11} | {:>10.0} | {:>8} | {:>8} | {:>6} |",
        "raw SQLite insert (ceiling)",
        args.requests,
        1,
        args.requests as f64 / raw.as_secs_f64(),
        "-",
        "-",
        0
    );
    Ok(0)
}
