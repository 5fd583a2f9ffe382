//! `lucid-dev bench-serve`: throughput and latency of the service under concurrent clients, next to
//! raw SQLite inserts with the same durability (the ceiling). `--limits` measures the hardening
//! instead (issue 11): appends/s with idle event streams open, the server's memory with 10,000
//! half-open connections, and shutdown time with a half-sent request open. `--postgres URL` runs
//! the same phases on the PostgreSQL backend (issue 15). A benchmark, never a test.

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
    /// Measure the limits instead: appends/s with 0, 50 and 200 idle event streams, the
    /// memory of a `lucid serve` process holding 10,000 half-open connections, and its shutdown
    /// time with a half-sent request open (needs ~10,000 free file descriptors).
    #[arg(long)]
    limits: bool,
    /// Half-open connections for `--limits`.
    #[arg(long, default_value_t = 10_000)]
    half_open: usize,
    /// Run the server on this PostgreSQL database instead of a fresh SQLite file (a store named
    /// `bench` is added to it; use a scratch database). The raw-insert ceiling stays SQLite's.
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
}

/// One measured phase: its requests' latencies, errors and wall time.
pub(crate) struct Phase {
    pub(crate) name: &'static str,
    pub(crate) elapsed: Duration,
    pub(crate) latencies: Vec<Duration>,
    pub(crate) errors: usize,
}

impl Phase {
    /// Successful requests per second.
    pub(crate) fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency at quantile `q` (0 to 1), in milliseconds.
    pub(crate) fn quantile_ms(&self, q: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        sorted
            .get(((sorted.len() as f64 * q).ceil() as usize).saturating_sub(1))
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    }

    fn row(&self, concurrency: usize) -> String {
        let pick = |q: f64| self.quantile_ms(q);
        format!(
            "| {:<28} | {:>8} | {:>11} | {:>10.0} | {:>8.2} | {:>8.2} | {:>6} |",
            self.name,
            self.latencies.len(),
            concurrency,
            self.per_second(),
            pick(0.50),
            pick(0.99),
            self.errors
        )
    }
}

pub(crate) async fn phase<F, Fut>(
    name: &'static str,
    requests: usize,
    concurrency: usize,
    call: F,
) -> Phase
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
    if args.limits {
        return run_limits(&args);
    }
    let durability = match args.sync {
        SyncMode::Full => Durability::Full,
        SyncMode::Normal => Durability::Normal,
    };
    let dir = tempfile::tempdir().context("temporary folder")?;
    let storage: Arc<dyn lucid_storage::Storage> = match &args.postgres {
        Some(url) => Arc::new(lucid_storage_postgres::PostgresStorage::open(url)?),
        None => Arc::new(SqliteStorage::open_with(
            &dir.path().join("serve.db"),
            durability,
        )?),
    };
    let phases = memory_phases(storage, args.requests, args.concurrency)?;
    let raw_path = dir.path().join("raw.db");
    let raw = lucid_storage_sqlite::raw_insert_benchmark(&raw_path, args.requests, durability)?;
    println!(
        "lucid-dev bench-serve: {} requests per phase, {}, {} CPU(s)",
        args.requests,
        match (&args.postgres, args.sync) {
            (Some(_), _) => "PostgreSQL (synchronous_commit as the server has it)",
            (None, SyncMode::Full) => "SQLite synchronous=FULL",
            (None, SyncMode::Normal) => "SQLite synchronous=NORMAL",
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

/// Memory creates, then reads of what was created, by `concurrency` clients against a server on
/// `storage` (in this process, on 127.0.0.1, open mode, rate limits off).
pub(crate) fn memory_phases(
    storage: Arc<dyn lucid_storage::Storage>,
    requests: usize,
    concurrency: usize,
) -> anyhow::Result<Vec<Phase>> {
    // A fresh database on 127.0.0.1 with no key: open mode, as asked for explicitly.
    // The engine's throughput, not the rate limits': the buckets are off here.
    let config = Config {
        open: true,
        limits: lucid_server::Limits::default().unlimited_rates(),
        ..Config::default()
    };
    let state = AppState::new(storage, config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(lucid_server::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        crate::install_tls();
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
    })
}

/// Appends to one session while `idle` streams wait on another: the cost idle streams put on
/// writers. Returns the phase and how many times the streams read the database meanwhile.
async fn appends_with_idle_streams(
    idle: usize,
    requests: usize,
    concurrency: usize,
) -> anyhow::Result<(Phase, u64)> {
    let dir = tempfile::tempdir().context("temporary folder")?;
    let storage = SqliteStorage::open(&dir.path().join("streams.db"))?;
    // The writers' throughput, not the rate limits': buckets and the stream cap are off.
    let config = Config {
        open: true,
        limits: lucid_server::Limits::default().unlimited_rates(),
        ..Config::default()
    };
    let state = AppState::new(Arc::new(storage), config)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(lucid_server::serve(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency * 2)
        .build()?;
    let post = |path: String, body: Value| {
        let http = http.clone();
        async move {
            let value: Value = http.post(path).json(&body).send().await?.json().await?;
            anyhow::Ok(value)
        }
    };
    let agent = post(
        format!("{base}/v1/agents"),
        json!({"name": "bench", "model": "m"}),
    )
    .await?;
    let session = |agent: Value| {
        post(
            format!("{base}/v1/sessions"),
            json!({"agent": agent["id"], "users": "team"}),
        )
    };
    let watched = session(agent.clone()).await?["id"]
        .as_str()
        .context("no session id")?
        .to_string();
    let written = session(agent).await?["id"]
        .as_str()
        .context("no session id")?
        .to_string();
    // Each idle stream on its own connection, as separate clients would hold them.
    let mut streams = Vec::with_capacity(idle);
    for _ in 0..idle {
        let client = reqwest::Client::new();
        let response = client
            .get(format!(
                "{base}/v1/sessions/{watched}/events/stream?replay=false"
            ))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("stream refused: {}", response.status());
        }
        streams.push((client, response));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while state.open_streams() < idle {
        if Instant::now() > deadline {
            bail!("only {} of {idle} streams opened", state.open_streams());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let reads_before = state.stream_reads();
    let url = format!("{base}/v1/sessions/{written}/events");
    let phase = phase(
        match idle {
            0 => "append, 0 idle streams",
            50 => "append, 50 idle streams",
            200 => "append, 200 idle streams",
            _ => "append, idle streams",
        },
        requests,
        concurrency,
        move |i| {
            let (http, url) = (http.clone(), url.clone());
            async move {
                let body = json!({"events": [{"type": "user.message",
                    "content": [{"type": "text", "text": format!("event {i}")}]}]});
                matches!(http.post(url).json(&body).send().await, Ok(r) if r.status().is_success())
            }
        },
    )
    .await;
    let reads = state.stream_reads() - reads_before;
    drop(streams);
    let _ = stop.send(());
    let _ = server.await;
    Ok((phase, reads))
}

/// A `lucid serve` child process on a fresh database (open mode, loopback), with `config`
/// as its config file.
struct Child {
    process: std::process::Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Child {
    fn start(config: &str) -> anyhow::Result<Child> {
        use std::io::BufRead;
        let dir = tempfile::tempdir().context("temporary folder")?;
        let config_path = dir.path().join("lucid.toml");
        std::fs::write(&config_path, config)?;
        let mut process = std::process::Command::new(crate::product_binary()?)
            .args([
                "serve",
                "--open",
                "--addr",
                "127.0.0.1:0",
                "--log",
                "warn",
                "--db",
            ])
            .arg(dir.path().join("lucid.db"))
            .arg("--config")
            .arg(&config_path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .context("starting lucid serve")?;
        let stderr = process.stderr.take().context("stderr")?;
        let mut lines = std::io::BufReader::new(stderr).lines();
        let addr = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("listening on http://") {
                        break url.trim().to_string();
                    }
                }
                _ => bail!("lucid serve ended before listening"),
            }
        };
        // Keep draining its stderr so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Child {
            process,
            addr,
            _dir: dir,
        })
    }

    /// Resident memory (VmRSS) of the server process, in MiB.
    fn rss_mib(&self) -> anyhow::Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.process.id()))?;
        let kib: f64 = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .context("no VmRSS")?;
        Ok(kib / 1024.0)
    }

    /// Sends SIGTERM and returns how long the process took to exit.
    fn terminate(&mut self) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.process.id().to_string()])
            .status()?;
        if !status.success() {
            bail!("kill -TERM failed");
        }
        loop {
            if self.process.try_wait()?.is_some() {
                return Ok(started.elapsed());
            }
            if started.elapsed() > Duration::from_secs(120) {
                let _ = self.process.kill();
                bail!("lucid serve did not stop within 120 s");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Opens `count` connections that each send half a request head and stop; returns them and
/// how many the server refused outright (a 503 for the connection cap).
async fn half_open(
    addr: &str,
    count: usize,
) -> anyhow::Result<(Vec<tokio::net::TcpStream>, usize)> {
    let mut sockets = Vec::with_capacity(count);
    for _ in 0..count {
        let socket = tokio::net::TcpStream::connect(addr).await?;
        let mut written = 0;
        let head = b"POST /v1/memory_stores HTTP/1.1\r\nhost: bench\r\n";
        while written < head.len() {
            socket.writable().await?;
            match socket.try_write(&head[written..]) {
                Ok(n) => written += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                // A refused connection may already be closed by the server.
                Err(_) => break,
            }
        }
        sockets.push(socket);
    }
    // Let the server take them all in, then count the refusals.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut refused = 0;
    let mut buffer = [0u8; 512];
    for socket in &sockets {
        if let Ok(n) = socket.try_read(&mut buffer)
            && buffer[..n].starts_with(b"HTTP/1.1 503")
        {
            refused += 1;
        }
    }
    Ok((sockets, refused))
}

fn run_limits(args: &BenchServeArgs) -> anyhow::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    crate::install_tls();
    let (requests, concurrency, count) = (args.requests, args.concurrency, args.half_open);
    let appends = runtime.block_on(async move {
        let mut rows = Vec::new();
        for idle in [0, 50, 200] {
            rows.push(appends_with_idle_streams(idle, requests, concurrency).await?);
        }
        anyhow::Ok(rows)
    })?;
    println!(
        "lucid-dev bench-serve --limits: {requests} appends per phase, {concurrency} concurrent \
         writers, synchronous=FULL, {} CPU(s)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "| {:<28} | {:>8} | {:>11} | {:>10} | {:>8} | {:>8} | {:>6} | {:>12} |",
        "operation",
        "requests",
        "concurrency",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "stream reads"
    );
    println!(
        "|{:-<30}|{:->10}|{:->13}|{:->12}|{:->10}|{:->10}|{:->8}|{:->14}|",
        "", "", "", "", "", "", "", ""
    );
    for (phase, reads) in &appends {
        println!("{} {:>12} |", phase.row(concurrency), reads);
    }

    let half_open_rows = runtime.block_on(async move {
        let mut rows = Vec::new();
        for (label, config) in [
            ("default (max_connections 1024)", String::new()),
            (
                "max_connections 16384",
                "[server]\nmax_connections = 16384\n".to_string(),
            ),
        ] {
            let server = Child::start(&config)?;
            let before = server.rss_mib()?;
            let (sockets, refused) = half_open(&server.addr, count).await?;
            let held = server.rss_mib()?;
            drop(sockets);
            tokio::time::sleep(Duration::from_secs(2)).await;
            let after = server.rss_mib()?;
            rows.push((label, before, held, after, refused));
        }
        anyhow::Ok(rows)
    })?;
    println!();
    println!(
        "{count} half-open connections (half a request head each) against a lucid serve process:"
    );
    println!(
        "| {:<30} | {:>14} | {:>14} | {:>14} | {:>12} |",
        "server", "RSS before MiB", "RSS held MiB", "RSS closed MiB", "refused 503"
    );
    println!(
        "|{:-<32}|{:->16}|{:->16}|{:->16}|{:->14}|",
        "", "", "", "", ""
    );
    for (label, before, held, after, refused) in &half_open_rows {
        println!("| {label:<30} | {before:>14.1} | {held:>14.1} | {after:>14.1} | {refused:>12} |");
    }

    let shutdown_rows = runtime.block_on(async move {
        let mut rows = Vec::new();
        // A half-sent head: nothing in flight, closed at once.
        let mut server = Child::start("")?;
        let (sockets, _) = half_open(&server.addr, 1).await?;
        rows.push((
            "half-sent request head, default limits",
            server.terminate()?,
        ));
        drop(sockets);
        // A body that never finishes is in flight: the deadline ends it.
        let mut server =
            Child::start("[server]\nshutdown_seconds = 5\nbody_timeout_seconds = 60\n")?;
        let socket = tokio::net::TcpStream::connect(&server.addr).await?;
        socket.writable().await?;
        let head = b"POST /v1/memory_stores HTTP/1.1\r\nhost: bench\r\ncontent-type: \
            application/json\r\ncontent-length: 100\r\n\r\n{";
        socket.try_write(head)?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        rows.push((
            "stalled request body, shutdown_seconds = 5",
            server.terminate()?,
        ));
        drop(socket);
        anyhow::Ok(rows)
    })?;
    println!();
    println!("SIGTERM to exit of a lucid serve process:");
    println!("| {:<44} | {:>12} |", "open at SIGTERM", "shutdown ms");
    println!("|{:-<46}|{:->14}|", "", "");
    for (label, took) in &shutdown_rows {
        println!("| {label:<44} | {:>12.0} |", took.as_secs_f64() * 1e3);
    }
    Ok(0)
}
