//! A fake model server for tests: real HTTP on 127.0.0.1, scripted answers, recorded requests.
//!
//! It speaks the two wire formats lucid's model-backed curation uses:
//! - Anthropic Messages, `POST /v1/messages`: the answer is a `tool_use` block whose `input` is
//!   the scripted value (named after the request's forced tool), with `usage` counters
//!   including `cache_creation_input_tokens` / `cache_read_input_tokens`;
//! - OpenAI Chat Completions, `POST /v1/chat/completions`: the answer is the scripted value as
//!   JSON text in `choices[0].message.content`, with `usage.prompt_tokens_details.cached_tokens`.
//!
//! Token counts are estimates, the same everywhere in lucid's tests and benchmark: a text of
//! `n` characters is `ceil(n / 4)` tokens ([`estimate_tokens`]). Input tokens are the request
//! body's; output tokens the answer's. Prompt caching is simulated: for Anthropic, when the
//! `tools` or `system` of a request carry `cache_control`, that prefix is written to the cache
//! the first time it is seen and read from it afterwards; for OpenAI the first message is the
//! cached prefix once seen. Cached tokens are not counted again as input tokens.
//!
//! Scripting: [`Rule`]s are tried in the order they were added; the first whose `when` text
//! occurs in the request body (and whose wire format matches, if given) answers, `times` times
//! (forever when `None`). Without a matching rule the server answers an empty list of
//! operations. [`Reply::Hang`] never answers (cancellation tests); [`Reply::Error`] answers an
//! HTTP error with headers (429 with `retry-after`, 5xx).
//!
//! Response formats: by default the OpenAI route takes any `response_format`. [`Formats`] makes
//! it refuse some, the way real servers do — [`Formats::LlamaCppPython`] refuses `json_schema`
//! with HTTP 500 and the validation error llama-cpp-python's server answers ("Input should be
//! 'text' or 'json_object'"), [`Formats::NoResponseFormat`] refuses any `response_format` with
//! HTTP 400. A refused request is recorded (with its status) and uses up no rule.
//!
//! Not for: anything but tests and benchmarks. It accepts any key and checks no schema.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Tokens of a text as lucid estimates them everywhere: one token per four characters,
/// rounded up.
pub fn estimate_tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

/// Which wire format a request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Wire {
    /// Anthropic's Messages API (`POST /v1/messages`).
    Anthropic,
    /// OpenAI's Chat Completions (`POST /v1/chat/completions`).
    Openai,
}

/// What the fake answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    /// A well-formed answer carrying this value (usually `{"operations": [...]}`): the tool
    /// input (Anthropic) or the message content as JSON text (OpenAI).
    Answer {
        /// The operations object the model "proposes".
        value: Value,
    },
    /// A plain-text answer (no tool use; the content as it is): for malformed answers.
    Text {
        /// The text content.
        text: String,
    },
    /// An answer cut off by the output limit (`max_tokens` / `length`), carrying this text.
    Truncated {
        /// The text cut off.
        text: String,
    },
    /// An HTTP error with these headers (e.g. `retry-after`) and body.
    Error {
        /// The HTTP status.
        status: u16,
        /// Extra response headers.
        #[serde(default)]
        headers: Vec<(String, String)>,
        /// The response body as it is.
        #[serde(default)]
        body: String,
    },
    /// Never answers (until the client gives up or the server stops).
    Hang,
    /// Waits, then answers.
    Delayed {
        /// How long to wait first.
        millis: u64,
        /// What to answer then.
        reply: Box<Reply>,
    },
}

impl Reply {
    /// A well-formed answer with these operations.
    pub fn operations(operations: Value) -> Reply {
        Reply::Answer {
            value: json!({ "operations": operations }),
        }
    }
}

/// Which `response_format`s the OpenAI route takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Formats {
    /// Every form (OpenAI, vLLM).
    #[default]
    All,
    /// Like llama-cpp-python's server: `json_schema` is refused with HTTP 500; `json_object`
    /// (with or without a `schema`) and no `response_format` are taken.
    LlamaCppPython,
    /// No `response_format` at all: any is refused with HTTP 400.
    NoResponseFormat,
}

/// The error a server answers for a request's response format, if it refuses it.
fn refusal(formats: Formats, body: &Value) -> Option<(u16, String)> {
    let format = body.get("response_format")?;
    let kind = format.get("type").and_then(Value::as_str).unwrap_or("");
    match formats {
        Formats::All => None,
        // What llama-cpp-python's server (0.3.36) answers, as recorded from it: a request
        // validation error that its error handler wraps into an OpenAI-style error, status 500.
        Formats::LlamaCppPython if !matches!(kind, "text" | "json_object") => Some((
            500,
            json!({"error": {
                "message": format!(
                    "1 validation error:\n  {{'type': 'literal_error', 'loc': ('body', \
                     'response_format', 'type'), 'msg': \"Input should be 'text' or \
                     'json_object'\", 'input': '{kind}', 'ctx': {{'expected': \"'text' or \
                     'json_object'\"}}}}\n\n  File \"llama_cpp/server/app.py\", line 376, in \
                     create_chat_completion\n    POST /v1/chat/completions"
                ),
                "type": "internal_server_error",
                "param": null,
                "code": null,
            }})
            .to_string(),
        )),
        Formats::LlamaCppPython => None,
        Formats::NoResponseFormat => Some((
            400,
            json!({"error": {
                "message": "Unrecognized request argument supplied: response_format",
                "type": "invalid_request_error",
                "param": "response_format",
                "code": null,
            }})
            .to_string(),
        )),
    }
}

/// A scripted answer: used for requests whose body contains `when` (any request when `None`),
/// of the given wire format (any when `None`), `times` times (forever when `None`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    /// Text the request body must contain (any request when `None`).
    #[serde(default)]
    pub when: Option<String>,
    /// The wire format the request must use (either when `None`).
    #[serde(default)]
    pub wire: Option<Wire>,
    /// What to answer.
    pub reply: Reply,
    /// How many requests it answers (forever when `None`).
    #[serde(default)]
    pub times: Option<usize>,
}

impl Rule {
    /// Answers the next request (any), once.
    pub fn once(reply: Reply) -> Rule {
        Rule {
            when: None,
            wire: None,
            reply,
            times: Some(1),
        }
    }

    /// Answers every request whose body contains `needle`.
    pub fn when(needle: impl Into<String>, reply: Reply) -> Rule {
        Rule {
            when: Some(needle.into()),
            wire: None,
            reply,
            times: None,
        }
    }

    /// Answers only this many requests.
    pub fn times(mut self, times: usize) -> Rule {
        self.times = Some(times);
        self
    }
}

/// Usage counters the fake reported for one answer (Anthropic's names; for OpenAI,
/// `input_tokens` is `prompt_tokens - cached_tokens` and `cache_read_input_tokens` is
/// `cached_tokens`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FakeUsage {
    /// Uncached input tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Input tokens read from the prompt cache.
    pub cache_read_input_tokens: u64,
    /// Input tokens written to the prompt cache.
    pub cache_creation_input_tokens: u64,
}

impl FakeUsage {
    /// Adds another answer's counters to these.
    pub fn add(&mut self, other: &FakeUsage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_read_input_tokens += other.cache_read_input_tokens;
        self.cache_creation_input_tokens += other.cache_creation_input_tokens;
    }

    /// Every input token, cached or not.
    pub fn prompt_tokens(&self) -> u64 {
        self.input_tokens + self.cache_read_input_tokens + self.cache_creation_input_tokens
    }
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The route the request came in on.
    pub wire: Wire,
    /// Header names lowercased.
    pub headers: BTreeMap<String, String>,
    /// The body as sent.
    pub raw: String,
    /// The body parsed (`Null` when it was not JSON).
    pub body: Value,
    /// The HTTP status the fake answered (0 when it never answered).
    pub status: u16,
    /// The usage it reported (zero for errors).
    pub usage: FakeUsage,
}

impl Recorded {
    /// Tokens of the request body ([`estimate_tokens`]).
    pub fn body_tokens(&self) -> u64 {
        estimate_tokens(&self.raw)
    }
}

type Responder = dyn Fn(&Recorded) -> Reply + Send + Sync;

struct Shared {
    formats: Mutex<Formats>,
    rules: Mutex<Vec<Rule>>,
    fallback: Mutex<Option<Arc<Responder>>>,
    requests: Mutex<Vec<Recorded>>,
    cached_prefixes: Mutex<HashSet<[u8; 32]>>,
    counter: Mutex<u64>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A running fake server. Stops when dropped.
pub struct FakeProvider {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeProvider {
    /// Starts a server on a free port of 127.0.0.1, on its own thread and runtime, so it works
    /// from synchronous and asynchronous tests alike.
    pub fn start() -> std::io::Result<FakeProvider> {
        FakeProvider::start_on("127.0.0.1:0")
    }

    /// Starts a server on this address.
    pub fn start_on(addr: &str) -> std::io::Result<FakeProvider> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            formats: Mutex::new(Formats::All),
            rules: Mutex::new(Vec::new()),
            fallback: Mutex::new(None),
            requests: Mutex::new(Vec::new()),
            cached_prefixes: Mutex::new(HashSet::new()),
            counter: Mutex::new(0),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new()
            .route("/v1/messages", post(anthropic))
            .route("/v1/chat/completions", post(openai))
            .fallback(|| async {
                (
                    StatusCode::NOT_FOUND,
                    axum::Json(json!({"type": "error", "error": {"type": "not_found_error", "message": "no such route"}})),
                )
            })
            .with_state(shared.clone());
        let thread = std::thread::Builder::new()
            .name("fake-provider".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    tokio::select! {
                        _ = axum::serve(listener, app) => {}
                        _ = stopped => {}
                    }
                });
                // Hanging handlers and open connections are dropped with the runtime.
                runtime.shutdown_background();
            })?;
        Ok(FakeProvider {
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`: the Anthropic base URL (requests go to `/v1/messages`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/v1`: the OpenAI base URL (requests go to `/chat/completions`).
    pub fn openai_base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The address it listens on (127.0.0.1 and a free port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Adds a rule (tried after the rules added before it).
    pub fn script(&self, rule: Rule) {
        lock(&self.shared.rules).push(rule);
    }

    /// Which `response_format`s the OpenAI route takes from now on.
    pub fn set_formats(&self, formats: Formats) {
        *lock(&self.shared.formats) = formats;
    }

    /// Answers the next request with `reply`.
    pub fn reply_once(&self, reply: Reply) {
        self.script(Rule::once(reply));
    }

    /// Answers requests no rule matches (instead of an empty list of operations).
    pub fn set_fallback(&self, responder: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) {
        *lock(&self.shared.fallback) = Some(Arc::new(responder));
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests were received so far.
    pub fn request_count(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// The sum of the usage reported in every answer so far.
    pub fn total_usage(&self) -> FakeUsage {
        let mut total = FakeUsage::default();
        for request in lock(&self.shared.requests).iter() {
            total.add(&request.usage);
        }
        total
    }
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn header_map(headers: &HeaderMap) -> BTreeMap<String, String> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_ascii_lowercase(),
                value.to_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Records the request and picks its reply; returns the record's index.
fn take_reply(shared: &Shared, wire: Wire, headers: &HeaderMap, raw: String) -> (usize, Reply) {
    let body: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
    let record = Recorded {
        wire,
        headers: header_map(headers),
        raw,
        body,
        status: 0,
        usage: FakeUsage::default(),
    };
    let reply = {
        let mut rules = lock(&shared.rules);
        let found = rules.iter().position(|rule| {
            rule.times != Some(0)
                && rule.wire.is_none_or(|w| w == wire)
                && rule
                    .when
                    .as_ref()
                    .is_none_or(|needle| record.raw.contains(needle.as_str()))
        });
        match found {
            Some(index) => {
                let rule = &mut rules[index];
                if let Some(times) = rule.times.as_mut() {
                    *times -= 1;
                }
                Some(rule.reply.clone())
            }
            None => None,
        }
    };
    let reply = reply.unwrap_or_else(|| {
        let fallback = lock(&shared.fallback).clone();
        match fallback {
            Some(responder) => responder(&record),
            None => Reply::operations(json!([])),
        }
    });
    let mut requests = lock(&shared.requests);
    requests.push(record);
    (requests.len() - 1, reply)
}

fn finish(shared: &Shared, index: usize, status: u16, usage: FakeUsage) {
    if let Some(record) = lock(&shared.requests).get_mut(index) {
        record.status = status;
        record.usage = usage;
    }
}

fn next_id(shared: &Shared) -> u64 {
    let mut counter = lock(&shared.counter);
    *counter += 1;
    *counter
}

/// Whether this prefix was seen before (and remembers it).
fn seen_prefix(shared: &Shared, prefix: &str) -> bool {
    let digest: [u8; 32] = Sha256::digest(prefix.as_bytes()).into();
    !lock(&shared.cached_prefixes).insert(digest)
}

fn has_cache_control(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            map.contains_key("cache_control") || map.values().any(has_cache_control)
        }
        Value::Array(items) => items.iter().any(has_cache_control),
        _ => false,
    }
}

/// A reply after delays: what is actually sent.
enum Final {
    Answer(Value),
    Text(String),
    Truncated(String),
    Error {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
}

/// Waits out delays; a hang never returns.
async fn settle(mut reply: Reply) -> Final {
    loop {
        match reply {
            Reply::Delayed {
                millis,
                reply: next,
            } => {
                tokio::time::sleep(Duration::from_millis(millis)).await;
                reply = *next;
            }
            Reply::Hang => std::future::pending::<()>().await,
            Reply::Answer { value } => return Final::Answer(value),
            Reply::Text { text } => return Final::Text(text),
            Reply::Truncated { text } => return Final::Truncated(text),
            Reply::Error {
                status,
                headers,
                body,
            } => {
                return Final::Error {
                    status,
                    headers,
                    body,
                };
            }
        }
    }
}

fn error_response(status: u16, headers: &[(String, String)], body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, body).into_response();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(name.as_bytes()),
            axum::http::HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

async fn anthropic(State(shared): State<Arc<Shared>>, headers: HeaderMap, raw: String) -> Response {
    let (index, reply) = take_reply(&shared, Wire::Anthropic, &headers, raw);
    let reply = settle(reply).await;
    let (body, request_raw) = {
        let requests = lock(&shared.requests);
        (requests[index].body.clone(), requests[index].raw.clone())
    };
    let total = estimate_tokens(&request_raw);
    let prefix = {
        let tools = body.get("tools").cloned().unwrap_or(Value::Null);
        let system = body.get("system").cloned().unwrap_or(Value::Null);
        if has_cache_control(&tools) || has_cache_control(&system) {
            let text = format!("{tools}{system}");
            Some((
                estimate_tokens(&text).min(total),
                seen_prefix(&shared, &text),
            ))
        } else {
            None
        }
    };
    let tool_name = body
        .pointer("/tool_choice/name")
        .or_else(|| body.pointer("/tools/0/name"))
        .and_then(Value::as_str)
        .unwrap_or("answer")
        .to_string();
    let model = body.get("model").cloned().unwrap_or(json!("fake"));
    let n = next_id(&shared);
    let (content, stop_reason, answer_text) = match reply {
        Final::Answer(value) => {
            let text = value.to_string();
            (
                json!([{"type": "tool_use", "id": format!("toolu_fake_{n}"), "name": tool_name, "input": value}]),
                "tool_use",
                text,
            )
        }
        Final::Text(text) => (json!([{"type": "text", "text": text}]), "end_turn", text),
        Final::Truncated(text) => (json!([{"type": "text", "text": text}]), "max_tokens", text),
        Final::Error {
            status,
            headers,
            body,
        } => {
            finish(&shared, index, status, FakeUsage::default());
            return error_response(status, &headers, body);
        }
    };
    let mut usage = FakeUsage {
        input_tokens: total,
        output_tokens: estimate_tokens(&answer_text),
        ..FakeUsage::default()
    };
    if let Some((prefix_tokens, seen)) = prefix {
        usage.input_tokens = total - prefix_tokens;
        if seen {
            usage.cache_read_input_tokens = prefix_tokens;
        } else {
            usage.cache_creation_input_tokens = prefix_tokens;
        }
    }
    finish(&shared, index, 200, usage);
    axum::Json(json!({
        "id": format!("msg_fake_{n}"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": null,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cache_creation_input_tokens": usage.cache_creation_input_tokens,
            "cache_read_input_tokens": usage.cache_read_input_tokens,
        },
    }))
    .into_response()
}

async fn openai(State(shared): State<Arc<Shared>>, headers: HeaderMap, raw: String) -> Response {
    let parsed: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
    let formats = *lock(&shared.formats);
    if let Some((status, body)) = refusal(formats, &parsed) {
        lock(&shared.requests).push(Recorded {
            wire: Wire::Openai,
            headers: header_map(&headers),
            raw,
            body: parsed,
            status,
            usage: FakeUsage::default(),
        });
        return error_response(
            status,
            &[("content-type".into(), "application/json".into())],
            body,
        );
    }
    let (index, reply) = take_reply(&shared, Wire::Openai, &headers, raw);
    let reply = settle(reply).await;
    let (body, request_raw) = {
        let requests = lock(&shared.requests);
        (requests[index].body.clone(), requests[index].raw.clone())
    };
    let total = estimate_tokens(&request_raw);
    let cached = match body.pointer("/messages/0/content").and_then(Value::as_str) {
        Some(first) => {
            let tokens = estimate_tokens(first).min(total);
            if seen_prefix(&shared, first) {
                tokens
            } else {
                0
            }
        }
        None => 0,
    };
    let model = body.get("model").cloned().unwrap_or(json!("fake"));
    let n = next_id(&shared);
    let (content, finish_reason) = match reply {
        Final::Answer(value) => (value.to_string(), "stop"),
        Final::Text(text) => (text, "stop"),
        Final::Truncated(text) => (text, "length"),
        Final::Error {
            status,
            headers,
            body,
        } => {
            finish(&shared, index, status, FakeUsage::default());
            return error_response(status, &headers, body);
        }
    };
    let output = estimate_tokens(&content);
    let usage = FakeUsage {
        input_tokens: total - cached,
        output_tokens: output,
        cache_read_input_tokens: cached,
        cache_creation_input_tokens: 0,
    };
    finish(&shared, index, 200, usage);
    axum::Json(json!({
        "id": format!("chatcmpl-fake-{n}"),
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": finish_reason,
        }],
        "usage": {
            "prompt_tokens": total,
            "completion_tokens": output,
            "total_tokens": total + output,
            "prompt_tokens_details": {"cached_tokens": cached},
        },
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_a_quarter_of_the_characters_rounded_up() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("abcd"), 1);
        assert_eq!(estimate_tokens("abcde"), 2);
        assert_eq!(estimate_tokens("éééé"), 1);
    }

    #[test]
    fn llama_cpp_python_refuses_json_schema_only() {
        let schema = json!({"response_format": {"type": "json_schema", "json_schema": {}}});
        let object = json!({"response_format": {"type": "json_object", "schema": {}}});
        let (status, body) = refusal(Formats::LlamaCppPython, &schema).unwrap_or_default();
        assert_eq!(status, 500);
        assert!(
            body.contains("Input should be 'text' or 'json_object'"),
            "{body}"
        );
        assert_eq!(refusal(Formats::LlamaCppPython, &object), None);
        assert_eq!(refusal(Formats::LlamaCppPython, &json!({})), None);
        assert_eq!(
            refusal(Formats::NoResponseFormat, &object).map(|r| r.0),
            Some(400)
        );
        assert_eq!(refusal(Formats::All, &schema), None);
    }

    #[test]
    fn rules_match_in_order_and_count_down() {
        let shared = Shared {
            formats: Mutex::new(Formats::All),
            rules: Mutex::new(vec![
                Rule::when("alpha", Reply::Text { text: "a".into() }).times(1),
                Rule::once(Reply::Text { text: "any".into() }),
            ]),
            fallback: Mutex::new(None),
            requests: Mutex::new(Vec::new()),
            cached_prefixes: Mutex::new(HashSet::new()),
            counter: Mutex::new(0),
        };
        let headers = HeaderMap::new();
        let text = |reply: Reply| match reply {
            Reply::Text { text } => text,
            other => format!("{other:?}"),
        };
        assert_eq!(
            text(take_reply(&shared, Wire::Openai, &headers, "beta".into()).1),
            "any"
        );
        assert_eq!(
            text(take_reply(&shared, Wire::Openai, &headers, "alpha".into()).1),
            "a"
        );
        // Both rules are used up: the default is an empty list of operations.
        assert!(matches!(
            take_reply(&shared, Wire::Openai, &headers, "alpha".into()).1,
            Reply::Answer { .. }
        ));
        assert_eq!(lock(&shared.requests).len(), 3);
    }
}
