//! Talking to a provider over HTTP: one request with timeouts, retries with exponential
//! backoff on 429/5xx (honouring `retry-after`), and cancellation that abandons a request in
//! flight.
//!
//! Backoff delays are deterministic (no jitter): attempt `n` waits `base_delay * 2^n`, capped
//! at `max_delay`, unless the provider says how long to wait (`retry-after` in seconds or as
//! an HTTP date, or `retry-after-ms`), which is then used (also capped at `max_delay`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::prompt::Wire;

/// Where a model lives and how to reach it.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Which API the server speaks.
    pub wire: Wire,
    /// The provider's model id (`claude-sonnet-4-6`, `qwen2.5-14b-instruct`).
    pub model: String,
    /// `https://api.anthropic.com` (requests go to `/v1/messages`) or an OpenAI-compatible
    /// base such as `https://api.openai.com/v1` (requests go to `/chat/completions`).
    pub base_url: String,
    /// Sent with every request (`x-api-key` for Anthropic, a bearer token for OpenAI); `None` sends
    /// none, as local servers need none.
    pub api_key: Option<String>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("wire", &self.wire)
            .field("model", &self.model)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Endpoint {
    /// `anthropic:claude-sonnet-4-6`: what the report names as the curator.
    pub fn name(&self) -> String {
        format!("{}:{}", self.wire.as_str(), self.model)
    }

    /// Where requests go. Forgiving about the base: a full endpoint URL is used as it is, and
    /// a bare `scheme://host:port` gets the `/v1` every server of the wire format serves (the
    /// OpenAI SDKs' base includes `/v1`, Anthropic's does not; users mix them up).
    pub fn url(&self) -> String {
        let base = self.base_url.trim().trim_end_matches('/');
        let bare_host = base
            .split_once("://")
            .is_some_and(|(_, rest)| !rest.contains('/'));
        match self.wire {
            Wire::Anthropic if base.ends_with("/messages") => base.to_string(),
            Wire::Anthropic if base.ends_with("/v1") => format!("{base}/messages"),
            Wire::Anthropic => format!("{base}/v1/messages"),
            Wire::Openai if base.ends_with("/chat/completions") => base.to_string(),
            Wire::Openai if bare_host => format!("{base}/v1/chat/completions"),
            Wire::Openai => format!("{base}/chat/completions"),
        }
    }
}

/// Timeouts and retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (429, 5xx, timeouts, connection errors).
    pub max_retries: u32,
    /// The wait before the first retry, doubled for each further one (unless the provider says
    /// how long to wait).
    pub base_delay: Duration,
    /// The longest wait before a retry, also when the provider asks for longer.
    pub max_delay: Duration,
    /// The longest one request may take (connect to last byte).
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            timeout: Duration::from_secs(60),
        }
    }
}

/// A cancel flag shared with whoever may cancel (the service's cancel route, Ctrl-C).
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    /// A flag not yet raised.
    pub fn new() -> CancelFlag {
        CancelFlag::default()
    }

    /// Wraps an existing flag (the service keeps one per running dream).
    pub fn from_arc(flag: Arc<AtomicBool>) -> CancelFlag {
        CancelFlag(flag)
    }

    /// Raises the flag, for every clone.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether the flag has been raised.
    pub fn is_canceled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Resolves once the flag is raised (checked every 20 ms, so a cancel stops waiting
    /// requests well within a second).
    pub async fn raised(&self) {
        while !self.is_canceled() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Why a call produced no answer. Callers branch on the variant: [`CallError::is_fatal`] says
/// whether every other request of the pass would fail the same way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The cancel flag was raised before an answer came.
    #[error("canceled")]
    Canceled,
    /// Nothing answered at the endpoint, also when tried again (no server listening).
    #[error("cannot reach {model} at {url}: {reason}")]
    Unreachable {
        /// The endpoint's name, `provider:model`.
        model: String,
        /// The URL requests went to.
        url: String,
        /// The connection error.
        reason: String,
    },
    /// The provider answered with an HTTP status that retrying cannot change.
    #[error("{model} answered HTTP {status}: {excerpt}")]
    Rejected {
        /// The endpoint's name, `provider:model`.
        model: String,
        /// The HTTP status: not a success and not one retries may change (400, 401, 404 …).
        status: u16,
        /// The first 300 characters of the response body.
        excerpt: String,
    },
    /// Every attempt the retry policy allows failed (429, 5xx, timeouts, dropped connections);
    /// `last` is the last attempt's failure.
    #[error("{model} still failing after {attempts} attempts: {last}")]
    Exhausted {
        /// The endpoint's name, `provider:model`.
        model: String,
        /// Attempts made, the first included.
        attempts: u32,
        /// The last attempt's failure (`HTTP 503: …` or the request error).
        last: String,
    },
    /// The server refused the request's response format ([`crate::format::rejects_format`]):
    /// the same request in another form may pass. Never retried as it is.
    #[error("{message}")]
    FormatRefused {
        /// The HTTP status and the first 300 characters of the response body.
        message: String,
    },
    /// The server refused every response format lucid can ask for.
    #[error("{model} refused every response format lucid can ask for (last: {last})")]
    NoFormatAccepted {
        /// The endpoint's name, `provider:model`.
        model: String,
        /// The last refusal's status and body excerpt.
        last: String,
    },
    /// The HTTP client could not be built (TLS set-up, the configured timeouts).
    #[error("cannot build the HTTP client: {reason}")]
    NoClient {
        /// The HTTP client builder's error.
        reason: String,
    },
    /// Not sent: an earlier request of the pass failed in a way every request would.
    #[error("{reason}")]
    Stopped {
        /// The earlier failure's message.
        reason: String,
    },
}

impl CallError {
    /// Whether every other request of the pass would fail the same way (no server, a bad key,
    /// an unknown model, no usable response format), so the pass stops sending.
    pub fn is_fatal(&self) -> bool {
        match self {
            CallError::Unreachable { .. }
            | CallError::NoFormatAccepted { .. }
            | CallError::NoClient { .. } => true,
            CallError::Rejected { status, .. } => matches!(status, 401 | 403 | 404),
            CallError::Canceled
            | CallError::Exhausted { .. }
            | CallError::FormatRefused { .. }
            | CallError::Stopped { .. } => false,
        }
    }
}

/// The raw body of a successful answer, and how long the call waited before retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAnswer {
    /// The HTTP response body (status 2xx) as received.
    pub body: String,
    /// The delays waited before each retry, in order.
    pub waits: Vec<Duration>,
}

/// What calls did on the wire, counted across a pass (retries that ended in failure included,
/// which a failed call's error does not carry).
#[derive(Debug, Default)]
pub struct Counters {
    /// HTTP requests sent.
    pub requests: AtomicUsize,
    /// Of them, those sent again after a 429, 5xx, timeout or connection error.
    pub retries: AtomicUsize,
}

impl Counters {
    /// HTTP requests sent so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// Of them, retries so far.
    pub fn retries(&self) -> usize {
        self.retries.load(Ordering::Relaxed)
    }
}

/// Builds the HTTP client (rustls with ring, the one TLS provider of the build). A failure is
/// returned, never replaced by a default client: that would silently drop the timeouts.
pub fn client(policy: &RetryPolicy) -> Result<reqwest::Client, CallError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(policy.timeout)
        .connect_timeout(policy.timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("lucid/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| CallError::NoClient {
            reason: error.to_string(),
        })
}

/// How long the provider asked to wait, from `retry-after-ms`, or `retry-after` in seconds
/// or as an HTTP date (relative to `now`).
pub fn retry_after(
    headers: &reqwest::header::HeaderMap,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = get("retry-after")?;
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// The delay before retry number `attempt` (0-based).
pub fn backoff(policy: &RetryPolicy, attempt: u32, asked: Option<Duration>) -> Duration {
    let delay = asked.unwrap_or_else(|| {
        policy
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.min(16)))
    });
    delay.min(policy.max_delay)
}

fn retryable(status: u16) -> bool {
    matches!(status, 408 | 409 | 425 | 429) || status >= 500
}

/// Sleeps, or returns early with `Canceled`.
async fn wait(delay: Duration, cancel: &CancelFlag) -> Result<(), CallError> {
    tokio::select! {
        _ = tokio::time::sleep(delay) => Ok(()),
        _ = cancel.raised() => Err(CallError::Canceled),
    }
}

/// Sends one request body, retrying as the policy says. The request is abandoned as soon as
/// the cancel flag is raised. `refusable`: the body asks for a response format the server may
/// refuse, and whether the server is still being probed (no form accepted yet); a refusal is
/// [`CallError::FormatRefused`] rather than retried. Every HTTP request sent, and every retry,
/// counts in `counters`.
pub async fn call(
    http: &reqwest::Client,
    endpoint: &Endpoint,
    body: &str,
    policy: &RetryPolicy,
    cancel: &CancelFlag,
    refusable: Option<bool>,
    counters: &Counters,
) -> Result<RawAnswer, CallError> {
    let mut waits = Vec::new();
    let mut attempt = 0;
    loop {
        if cancel.is_canceled() {
            return Err(CallError::Canceled);
        }
        let mut request = http
            .post(endpoint.url())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
        request = match endpoint.wire {
            Wire::Anthropic => {
                let request = request.header("anthropic-version", "2023-06-01");
                match &endpoint.api_key {
                    Some(key) => request.header("x-api-key", key),
                    None => request,
                }
            }
            Wire::Openai => match &endpoint.api_key {
                Some(key) => request.bearer_auth(key),
                None => request,
            },
        };
        counters.requests.fetch_add(1, Ordering::Relaxed);
        if attempt > 0 {
            counters.retries.fetch_add(1, Ordering::Relaxed);
        }
        let exchange = async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let asked = retry_after(response.headers(), chrono::Utc::now());
            let text = response.text().await?;
            Ok::<_, reqwest::Error>((status, asked, text))
        };
        let outcome = tokio::select! {
            outcome = exchange => outcome,
            _ = cancel.raised() => return Err(CallError::Canceled),
        };
        let (message, asked) = match outcome {
            Ok((200..=299, _, text)) => return Ok(RawAnswer { body: text, waits }),
            // Checked before retrying: a server that refuses the format refuses it every time
            // (llama-cpp-python answers HTTP 500, which would otherwise be retried).
            Ok((status, _, text))
                if refusable.is_some_and(|probing| {
                    crate::format::rejects_format(status, &text, probing)
                }) =>
            {
                return Err(CallError::FormatRefused {
                    message: format!(
                        "HTTP {status}: {}",
                        crate::prompt::excerpt(text.trim(), 300)
                    ),
                });
            }
            Ok((status, asked, text)) if retryable(status) => (
                format!(
                    "HTTP {status}: {}",
                    crate::prompt::excerpt(text.trim(), 300)
                ),
                asked,
            ),
            Ok((status, _, text)) => {
                return Err(CallError::Rejected {
                    model: endpoint.name(),
                    status,
                    excerpt: crate::prompt::excerpt(text.trim(), 300),
                });
            }
            // Nothing listening: one more try (a server may be starting), then give up for
            // the whole dream rather than wait out every unit's retries.
            Err(error) if error.is_connect() && attempt >= 1 => {
                return Err(CallError::Unreachable {
                    model: endpoint.name(),
                    url: endpoint.url(),
                    reason: error.to_string(),
                });
            }
            Err(error) => (format!("request failed: {error}"), None),
        };
        if attempt >= policy.max_retries {
            return Err(CallError::Exhausted {
                model: endpoint.name(),
                attempts: attempt + 1,
                last: message,
            });
        }
        let delay = backoff(policy, attempt, asked);
        waits.push(delay);
        wait(delay, cancel).await?;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn retry_after_reads_seconds_dates_and_milliseconds() {
        let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(3)));
        headers.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:05 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(5)));
        headers.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:27:00 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::ZERO));
        headers.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_millis(250)));
        headers.clear();
        headers.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        assert_eq!(backoff(&policy, 0, None), Duration::from_millis(100));
        assert_eq!(backoff(&policy, 2, None), Duration::from_millis(400));
        assert_eq!(backoff(&policy, 9, None), Duration::from_secs(1));
        assert_eq!(
            backoff(&policy, 0, Some(Duration::from_millis(700))),
            Duration::from_millis(700)
        );
        assert_eq!(
            backoff(&policy, 0, Some(Duration::from_secs(30))),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn urls_follow_each_wire_format() {
        let endpoint = |wire, base: &str| Endpoint {
            wire,
            model: "m".into(),
            base_url: base.into(),
            api_key: None,
        };
        assert_eq!(
            endpoint(Wire::Anthropic, "https://api.anthropic.com").url(),
            "https://api.anthropic.com/v1/messages"
        );
        assert_eq!(
            endpoint(Wire::Anthropic, "http://127.0.0.1:9/v1/").url(),
            "http://127.0.0.1:9/v1/messages"
        );
        assert_eq!(
            endpoint(Wire::Openai, "http://localhost:11434/v1").url(),
            "http://localhost:11434/v1/chat/completions"
        );
        // A bare host gets /v1; a full endpoint or a custom path is kept.
        assert_eq!(
            endpoint(Wire::Openai, "http://127.0.0.1:8000/").url(),
            "http://127.0.0.1:8000/v1/chat/completions"
        );
        assert_eq!(
            endpoint(Wire::Openai, "https://gw.example/openai/deployments/x").url(),
            "https://gw.example/openai/deployments/x/chat/completions"
        );
        assert_eq!(
            endpoint(Wire::Openai, "http://h:1/v1/chat/completions").url(),
            "http://h:1/v1/chat/completions"
        );
        assert_eq!(
            endpoint(Wire::Anthropic, "http://h:1/v1/messages").url(),
            "http://h:1/v1/messages"
        );
    }
}
