//! Issue 11, items 7, 8 and 10 and the small server things: event streams woken only by their
//! own session and capped per key, read timeouts, the connection cap, a shutdown that no
//! half-sent request holds up, rate limits, `Last-Event-ID`, envelopes for oversized heads,
//! and dream output stores named after their dream. Against a real server on 127.0.0.1 where
//! sockets matter, through the router otherwise.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use common::{Harness, assert_envelope, id};
use http_body_util::BodyExt;
use lucid_server::{AppState, Config, Limits, Rate};
use lucid_storage::Storage;
use lucid_storage_sqlite::SqliteStorage;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

/// A server on 127.0.0.1 with two workspaces' keys.
struct Live {
    base: String,
    addr: std::net::SocketAddr,
    key: String,
    other_key: String,
    state: AppState,
    http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl Live {
    async fn start(limits: Limits) -> Live {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = Arc::new(SqliteStorage::open(&dir.path().join("lucid.db")).expect("open"));
        let (_, key) = storage.create_api_key("a", None).expect("key");
        let (_, other_key) = storage.create_api_key("b", None).expect("key");
        let config = Config {
            limits,
            ..Config::default()
        };
        let state = AppState::new(storage, config).expect("state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(lucid_server::serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        let _ = rustls::crypto::ring::default_provider().install_default();
        Live {
            base: format!("http://{addr}"),
            addr,
            key,
            other_key,
            state,
            http: reqwest::Client::new(),
            stop: Some(stop),
            server: Some(server),
            _dir: dir,
        }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("x-api-key", &self.key)
            .json(&body)
            .send()
            .await
            .expect("send");
        let status = response.status();
        let value: Value = response.json().await.expect("json");
        assert!(status.is_success(), "POST {path}: {status} {value}");
        value
    }

    async fn session(&self, agent: &str) -> String {
        id(&self
            .post(
                "/v1/sessions",
                json!({"agent": agent, "users": "team", "initial_events": [
                    {"type": "user.message", "content": [{"type": "text", "text": "hello"}]}]}),
            )
            .await)
    }

    async fn append(&self, session: &str, text: &str) {
        self.post(
            &format!("/v1/sessions/{session}/events"),
            json!({"events": [{"type": "user.message", "content": [{"type": "text", "text": text}]}]}),
        )
        .await;
    }

    async fn open_stream(&self, key: &str, session: &str) -> reqwest::Response {
        self.http
            .get(format!(
                "{}/v1/sessions/{session}/events/stream?replay=false",
                self.base
            ))
            .header("x-api-key", key)
            .send()
            .await
            .expect("stream")
    }

    /// Stops the server and returns how long it took.
    async fn stop(&mut self) -> Duration {
        let started = Instant::now();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            tokio::time::timeout(Duration::from_secs(60), server)
                .await
                .expect("the server stops within a minute")
                .expect("join")
                .expect("serve");
        }
        started.elapsed()
    }
}

/// Waits until `f` holds (or fails after 10 s).
async fn eventually(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Reads what the server sends until it closes the connection (or 10 s pass).
async fn read_to_close(socket: &mut tokio::net::TcpStream) -> String {
    let mut received = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), socket.read_to_end(&mut received))
        .await
        .expect("the server closes the connection");
    String::from_utf8_lossy(&received).into_owned()
}

/// Issue 11, item 7: an append wakes only the streams of its own session. Twenty idle streams
/// on one session read the database no more when another session gets fifty events (before,
/// every append woke every stream of every workspace, and each read the database).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_streams_are_woken_only_by_their_own_session() {
    let live = Live::start(Limits::default()).await;
    let agent = id(&live
        .post("/v1/agents", json!({"name": "a", "model": "m"}))
        .await);
    let (watched, busy) = (live.session(&agent).await, live.session(&agent).await);
    let mut streams = Vec::new();
    for _ in 0..20 {
        let stream = live.open_stream(&live.key, &watched).await;
        assert_eq!(stream.status(), 200);
        streams.push(stream);
    }
    eventually("20 open streams", || live.state.open_streams() == 20).await;
    // Each stream reads once when it opens; wait for those reads to settle.
    let mut settled = live.state.stream_reads();
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = live.state.stream_reads();
        if now == settled {
            break;
        }
        settled = now;
    }
    for n in 0..50 {
        live.append(&busy, &format!("event {n}")).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        live.state.stream_reads(),
        settled,
        "appends to another session woke the idle streams"
    );
    // An append to the watched session reaches its streams.
    live.append(&watched, "for the watchers").await;
    let mut first = streams.remove(0);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = String::new();
    while !seen.contains("for the watchers") {
        assert!(Instant::now() < deadline, "the event never arrived: {seen}");
        let chunk = tokio::time::timeout(Duration::from_secs(10), first.chunk())
            .await
            .expect("chunk in time")
            .expect("chunk")
            .expect("stream open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    // Every watcher reads the event; the first one seeing it says nothing of when the other
    // nineteen are scheduled, so their reads are awaited rather than counted at once.
    eventually("each of the 20 watchers read the append", || {
        live.state.stream_reads() >= settled + 20
    })
    .await;
}

/// Issue 11, item 7: one key holds at most `max_streams_per_key` streams; beyond, a 429
/// envelope with retry-after; another key is not affected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_per_key_are_capped() {
    let live = Live::start(Limits {
        max_streams_per_key: 2,
        ..Limits::default()
    })
    .await;
    let agent = id(&live
        .post("/v1/agents", json!({"name": "a", "model": "m"}))
        .await);
    let session = live.session(&agent).await;
    let first = live.open_stream(&live.key, &session).await;
    let second = live.open_stream(&live.key, &session).await;
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let third = live.open_stream(&live.key, &session).await;
    assert_eq!(third.status(), 429);
    assert!(third.headers().contains_key("retry-after"));
    let body: Value = third.json().await.expect("json");
    assert_envelope(&body);
    assert_eq!(body["error"]["type"], "rate_limit_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("max_streams_per_key")),
        "{body}"
    );
    // Workspace b's key has its own allowance (its own session: a's is not b's to read).
    let agent_b: Value = live
        .http
        .post(format!("{}/v1/agents", live.base))
        .header("x-api-key", &live.other_key)
        .json(&json!({"name": "b", "model": "m"}))
        .send()
        .await
        .expect("agent")
        .json()
        .await
        .expect("json");
    let session_b: Value = live
        .http
        .post(format!("{}/v1/sessions", live.base))
        .header("x-api-key", &live.other_key)
        .json(&json!({"agent": agent_b["id"]}))
        .send()
        .await
        .expect("session")
        .json()
        .await
        .expect("json");
    let other = live.open_stream(&live.other_key, &id(&session_b)).await;
    assert_eq!(other.status(), 200);
    drop((first, second, other));
}

/// An unknown `Last-Event-ID` is a 400, not a replay of the whole session.
#[tokio::test]
async fn an_unknown_last_event_id_is_a_400() {
    let h = Harness::new();
    let agent = h.agent("a").await;
    let session = h.session(&agent, None, "hello").await;
    let request = Request::builder()
        .uri(format!("/v1/sessions/{session}/events/stream"))
        .header("x-api-key", &h.key)
        .header("last-event-id", "sevt_does_not_exist")
        .body(Body::empty())
        .expect("request");
    let (status, body) = h.send(request).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("sevt_does_not_exist")),
        "{body}"
    );
    let (status, _) = h
        .call(
            "GET",
            &format!("/v1/sessions/{session}/events/stream?after_id=sevt_nope"),
            None,
        )
        .await;
    assert_eq!(status, 400);
}

/// Issue 11, item 10: per-key and per-address token buckets; beyond them a 429 envelope with
/// retry-after (and x-should-retry: true, so the SDK waits and retries); invalid keys are
/// limited too.
#[tokio::test]
async fn requests_beyond_the_rate_limits_get_429_with_retry_after() {
    let slow = Rate {
        per_second: 0.01,
        burst: 3.0,
    };
    let h = Harness::with_config(Config {
        limits: Limits {
            key_rate: slow,
            address_rate: Rate::OFF,
            ..Limits::default()
        },
        ..Config::default()
    });
    let get = |key: &str, peer: Option<&str>| {
        let mut request = Request::builder()
            .uri("/v1/memory_stores")
            .header("x-api-key", key)
            .body(Body::empty())
            .expect("request");
        if let Some(peer) = peer {
            let addr: std::net::SocketAddr = peer.parse().expect("addr");
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(addr));
        }
        h.app.clone().oneshot(request)
    };
    for _ in 0..3 {
        assert_eq!(get(&h.key, None).await.expect("call").status(), 200);
    }
    let refused = get(&h.key, None).await.expect("call");
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("retry-after in seconds");
    assert!(retry_after >= 1);
    assert_eq!(refused.headers()["x-should-retry"], "true");
    let body: Value = serde_json::from_slice(
        &refused
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes(),
    )
    .expect("json");
    assert_envelope(&body);
    assert_eq!(body["error"]["type"], "rate_limit_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("rate_per_key")),
        "{body}"
    );
    // The other key has its own bucket; a guessed key is limited like a real one.
    assert_eq!(get(&h.other_key, None).await.expect("call").status(), 200);
    for _ in 0..3 {
        assert_eq!(get("sk-guess", None).await.expect("call").status(), 401);
    }
    assert_eq!(get("sk-guess", None).await.expect("call").status(), 429);

    // Per address: fresh keys each time, one address.
    let h = Harness::with_config(Config {
        limits: Limits {
            key_rate: Rate::OFF,
            address_rate: slow,
            ..Limits::default()
        },
        ..Config::default()
    });
    let get = |key: String, peer: &str| {
        let mut request = Request::builder()
            .uri("/v1/memory_stores")
            .header("x-api-key", key)
            .body(Body::empty())
            .expect("request");
        let addr: std::net::SocketAddr = peer.parse().expect("addr");
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(addr));
        h.app.clone().oneshot(request)
    };
    for n in 0..3 {
        let status = get(format!("sk-guess-{n}"), "10.0.0.1:5000")
            .await
            .expect("call")
            .status();
        assert_eq!(status, 401);
    }
    let refused = get("sk-guess-4".into(), "10.0.0.1:5001")
        .await
        .expect("call");
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let other_address = get(h.key.clone(), "10.0.0.2:5000").await.expect("call");
    assert_eq!(other_address.status(), 200);
}

/// The default limits let a normal burst through (what the tests and the SDK do).
#[tokio::test]
async fn the_default_rate_limits_let_a_burst_of_500_through() {
    let h = Harness::new();
    for _ in 0..500 {
        let (status, _) = h.call("GET", "/v1/memory_stores", None).await;
        assert_eq!(status, 200);
    }
}

/// Too-long URIs and too-large headers are envelopes (414, 431), not bare statuses.
#[tokio::test]
async fn oversized_uris_and_headers_get_envelopes() {
    let h = Harness::new();
    let long = format!("/v1/memory_stores?x={}", "a".repeat(9 * 1024));
    let (status, body) = h.call("GET", &long, None).await;
    assert_eq!(status, 414, "{body}");
    assert_eq!(body["error"]["type"], "request_too_large");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("max_uri_kb"))
    );
    let request = Request::builder()
        .uri("/v1/memory_stores")
        .header("x-api-key", &h.key)
        .header("x-padding", "p".repeat(40 * 1024))
        .body(Body::empty())
        .expect("request");
    let (status, body) = h.send(request).await;
    assert_eq!(status, 431, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("max_header_kb"))
    );
}

/// Issue 11, item 8: a head that never completes is dropped after the header timeout, a body
/// that stalls after the body timeout, and connections beyond the cap get a 503 envelope.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_timeouts_and_the_connection_cap() {
    let mut live = Live::start(Limits {
        header_timeout: Duration::from_millis(500),
        body_timeout: Duration::from_millis(500),
        max_connections: 3,
        ..Limits::default()
    })
    .await;
    // A half-sent head: closed after the header timeout.
    let mut half = tokio::net::TcpStream::connect(live.addr)
        .await
        .expect("connect");
    half.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
        .await
        .expect("write");
    let started = Instant::now();
    let _ = read_to_close(&mut half).await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(400) && waited < Duration::from_secs(5),
        "closed after {waited:?}"
    );
    // A body that stalls: the request fails after the body timeout (the head was fine).
    let mut stalled = tokio::net::TcpStream::connect(live.addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /v1/memory_stores HTTP/1.1\r\nhost: x\r\nx-api-key: {}\r\ncontent-type: \
         application/json\r\ncontent-length: 100\r\n\r\n{{\"name\":",
        live.key
    );
    stalled.write_all(head.as_bytes()).await.expect("write");
    let started = Instant::now();
    let answer = read_to_close(&mut stalled).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("\"type\":\"error\""), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Three idle connections hold the cap; the fourth gets a 503 envelope.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(
            tokio::net::TcpStream::connect(live.addr)
                .await
                .expect("connect"),
        );
    }
    let mut fourth = tokio::net::TcpStream::connect(live.addr)
        .await
        .expect("connect");
    let answer = read_to_close(&mut fourth).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("max_connections"), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    assert_envelope(&serde_json::from_str(body).expect("JSON body"));
    drop(held);
    live.stop().await;
}

/// Issue 11, item 8: a half-sent request does not hold up shutdown, and a request that never
/// finishes is cut at the shutdown deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_not_held_up_by_half_sent_requests() {
    let mut live = Live::start(Limits::default()).await;
    let mut half = tokio::net::TcpStream::connect(live.addr)
        .await
        .expect("connect");
    half.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
        .await
        .expect("write");
    // Let the server start reading it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let took = live.stop().await;
    assert!(
        took < Duration::from_secs(2),
        "shutdown with a half-sent head took {took:?}"
    );

    // A request whose body never comes is in flight: it gets the deadline, then is closed.
    let mut live = Live::start(Limits {
        shutdown_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(120),
        ..Limits::default()
    })
    .await;
    let mut stalled = tokio::net::TcpStream::connect(live.addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /v1/memory_stores HTTP/1.1\r\nhost: x\r\nx-api-key: {}\r\ncontent-type: \
         application/json\r\ncontent-length: 100\r\n\r\n{{",
        live.key
    );
    stalled.write_all(head.as_bytes()).await.expect("write");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let took = live.stop().await;
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "the deadline is 1 s; shutdown took {took:?}"
    );
}

/// Every dream's output store is named after the input store and the dream, so two dreams of
/// one store do not produce two stores of the same name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dream_output_stores_are_named_after_their_dream() {
    let h = Harness::new();
    let _workers = h.start_workers();
    let store = h.store("team notes").await;
    let agent = h.agent("a").await;
    let session = h
        .session(
            &agent,
            Some(&store),
            "Always run cargo fmt before committing.",
        )
        .await;
    let mut names = Vec::new();
    for _ in 0..2 {
        let dream = id(&h.dream(&store, &[&session]).await);
        let done = h.wait_dream(&dream).await;
        assert_eq!(done["status"], "completed", "{done}");
        let output = done["outputs"][0]["memory_store_id"]
            .as_str()
            .expect("output store")
            .to_string();
        let name = h.get(&format!("/v1/memory_stores/{output}")).await["name"]
            .as_str()
            .expect("name")
            .to_string();
        assert!(
            name.starts_with("team notes") && name.contains(&dream),
            "{name}"
        );
        names.push(name);
    }
    assert_ne!(names[0], names[1]);
}
