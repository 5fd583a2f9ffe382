//! `lucid serve`: the dream service over HTTP.
//!
//! The API's shapes match Anthropic's Managed Agents API (memory stores, memories, memory
//! versions, agents, sessions and events, dreams) closely enough that the official `anthropic`
//! SDK works against it with only `base_url` changed; lucid's extensions (transcript import,
//! report, diff, promotion, rollback, schedules) follow the same style.
//!
//! - [`app`] builds the router (no socket: tests call it with `tower::ServiceExt::oneshot`).
//! - [`serve`] runs it on a listener with the dream workers and the scheduler until a shutdown
//!   future resolves, then stops accepting, lets in-flight requests finish, and lets running
//!   dreams finish (pending ones stay pending for the next start).
//!
//! Architecture invariant: handlers only parse, call one storage method on the blocking pool
//! and serialise; rules live in `lucid-storage` (and its backends), curation in `lucid-core`.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

pub mod convert;
pub mod error;
mod estimate;
pub mod extract;
pub mod limits;
mod listen;
mod mcp;
pub mod models;
mod openapi;
mod rate;
mod review;
pub mod routes;
pub mod safety;
pub mod state;
mod worker;

use std::future::Future;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tracing::Instrument;

pub use error::{ApiError, ErrorEnvelope};
pub use limits::{Limits, Rate};
pub use models::Models;
pub use openapi::openapi_json;
pub use safety::Safety;
pub use state::{AppState, AuthMode, Caller, Config};

use routes::{agents, dreams, schedules, sessions, stores};

/// The whole API as a router over `state`.
pub fn app(state: AppState) -> Router {
    let limit = state.config().max_body_bytes;
    Router::new()
        .route("/openapi.json", get(openapi::serve_openapi))
        .route("/healthz", get(healthz))
        .route(
            "/v1/memory_stores",
            post(stores::create_store).get(stores::list_stores),
        )
        .route(
            "/v1/memory_stores/{memory_store_id}",
            get(stores::get_store)
                .post(stores::update_store)
                .delete(stores::delete_store),
        )
        .route(
            "/v1/memory_stores/{memory_store_id}/archive",
            post(stores::archive_store),
        )
        .route(
            "/v1/memory_stores/{memory_store_id}/memories",
            post(stores::create_memory).get(stores::list_memories),
        )
        .route(
            "/v1/memory_stores/{memory_store_id}/memories/{memory_id}",
            get(stores::get_memory)
                .post(stores::update_memory)
                .delete(stores::delete_memory),
        )
        .route(
            "/v1/memory_stores/{memory_store_id}/search",
            get(stores::search_memories),
        )
        .route(
            "/v1/memory_stores/{memory_store_id}/memory_versions",
            get(stores::list_versions),
        )
        .route(
            "/v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}",
            get(stores::get_version),
        )
        .route(
            "/v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}/redact",
            post(stores::redact_version),
        )
        .route(
            "/v1/agents",
            post(agents::create_agent).get(agents::list_agents),
        )
        .route(
            "/v1/agents/{agent_id}",
            get(agents::get_agent).post(agents::update_agent),
        )
        .route("/v1/agents/{agent_id}/archive", post(agents::archive_agent))
        .route(
            "/v1/agents/{agent_id}/rollback",
            post(agents::rollback_agent),
        )
        .route(
            "/v1/agents/{agent_id}/versions",
            get(agents::list_agent_versions),
        )
        .route(
            "/v1/sessions",
            post(sessions::create_session).get(sessions::list_sessions),
        )
        .route("/v1/sessions/import", post(sessions::import_session))
        .route(
            "/v1/sessions/{session_id}",
            get(sessions::get_session)
                .post(sessions::update_session)
                .delete(sessions::delete_session),
        )
        .route(
            "/v1/sessions/{session_id}/archive",
            post(sessions::archive_session),
        )
        .route(
            "/v1/sessions/{session_id}/events",
            post(sessions::send_events).get(sessions::list_events),
        )
        .route(
            "/v1/sessions/{session_id}/events/stream",
            get(sessions::stream_events),
        )
        .route(
            "/v1/sessions/{session_id}/resources",
            get(sessions::list_resources),
        )
        .route(
            "/v1/sessions/{session_id}/threads",
            get(sessions::list_threads),
        )
        .route(
            "/v1/dreams",
            post(dreams::create_dream).get(dreams::list_dreams),
        )
        .route("/v1/dreams/{dream_id}", get(dreams::get_dream))
        .route("/v1/dreams/{dream_id}/cancel", post(dreams::cancel_dream))
        .route("/v1/dreams/{dream_id}/archive", post(dreams::archive_dream))
        .route("/v1/dreams/{dream_id}/report", get(dreams::dream_report))
        .route("/v1/dreams/{dream_id}/diff", get(dreams::dream_diff))
        .route("/v1/dreams/{dream_id}/promote", post(dreams::promote_dream))
        .route("/v1/dreams/{dream_id}/discard", post(dreams::discard_dream))
        .route(
            "/v1/schedules",
            post(schedules::create_schedule).get(schedules::list_schedules),
        )
        .route(
            "/v1/schedules/{schedule_id}",
            get(schedules::get_schedule).delete(schedules::delete_schedule),
        )
        .merge(mcp::router(&state))
        // The review page (`/` and `/assets/…`): static files calling the routes above.
        .merge(lucid_web::router())
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            check_head,
        ))
        .layer(axum::middleware::from_fn(request_context))
        .with_state(state)
}

/// The health check (public, for load balancers and operators): `200` with the backend, its
/// schema version, this node, and the running dreams' leases counted per node; `503` when the
/// database does not answer. No dream ids, keys or database address: it needs no key.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.run(|storage| storage.health()).await {
        Ok(health) => {
            let mut per_node: std::collections::BTreeMap<&str, (u64, u64)> = Default::default();
            for lease in &health.leases {
                let counts = per_node.entry(lease.node.as_str()).or_default();
                counts.0 += 1;
                if lease.expires_in_secs.is_some_and(|left| left < 0.0) {
                    counts.1 += 1;
                }
            }
            let leases: Vec<_> = per_node
                .into_iter()
                .map(|(node, (running, expired))| {
                    serde_json::json!({"node": node, "running_dreams": running, "expired": expired})
                })
                .collect();
            axum::Json(serde_json::json!({
                "status": "ok",
                "backend": health.backend,
                "schema_version": health.schema_version,
                "node": health.node,
                "workers": state.config().workers,
                "follows_other_nodes": state.follows_other_nodes(),
                "running_dreams": health.leases.len(),
                "leases": leases,
            }))
            .into_response()
        }
        Err(error) => {
            tracing::error!(error = %error.message, "health check: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({
                    "status": "unavailable",
                    "error": "the database does not answer; see the server log",
                })),
            )
                .into_response()
        }
    }
}

async fn no_route(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!("no route for {method} {}", uri.path()))
}

async fn wrong_method(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request_error",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

/// A URI or headers larger than the limits: an envelope (`414`, `431`). hyper answers heads
/// beyond its own, larger, limits (64 KiB URIs, about 400 KiB of headers, 100 headers) and
/// malformed request lines itself, with an empty body: it has no hook to shape those.
async fn check_head(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limits = &state.config().limits;
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri > limits.max_uri_bytes {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "request_too_large",
            format!(
                "the request URI is {uri} bytes; at most {} ([server] max_uri_kb)",
                limits.max_uri_bytes
            ),
        )
        .into_response();
    }
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if headers > limits.max_header_bytes {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request_too_large",
            format!(
                "the request headers are {headers} bytes; at most {} ([server] max_header_kb)",
                limits.max_header_bytes
            ),
        )
        .into_response();
    }
    next.run(request).await
}

/// The per-address and per-key token buckets (before authentication, so invalid keys are
/// limited too).
async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let address = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip());
    let key = extract::presented_key(request.headers()).map(str::to_owned);
    if let Err(error) = state.check_rate(key, address).await {
        return error.into_response();
    }
    next.run(request).await
}

/// Gives every response a `request-id` and logs the request inside a span carrying it: one
/// line per request at `info` (method, path, status, latency; never the query, keys or
/// bodies).
async fn request_context(request: Request, next: Next) -> Response {
    let id = lucid_storage::ids::new_id("req");
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = Instant::now();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status();
    let _entered = span.enter();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
    if status.is_server_error() {
        tracing::warn!(status = status.as_u16(), elapsed_ms, "request failed");
    } else {
        tracing::info!(status = status.as_u16(), elapsed_ms, "request");
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("request-id", value);
    }
    response
}

/// Serves `state` on `listener` until `shutdown` resolves.
///
/// On start, dreams a previous run left `running` become `failed` with `internal_error` (they
/// were never promoted: completion is one transaction), and pending ones are picked up — unless
/// `recover` is false (a server taking over from one still running, whose dreams are not
/// crashed; see [`serve_with`]). On shutdown: no new connections, idle ones (and half-sent
/// requests) closed, in-flight requests finish, event streams end, running dreams finish, all up
/// to [`Limits::shutdown_timeout`]; then open connections are closed. Pending dreams stay
/// pending.
pub async fn serve<F>(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    serve_with(listener, state, shutdown, true).await
}

/// [`serve`], saying whether to recover the dreams a crash left running (false while another
/// server may still be running them; the caller recovers once it holds the database alone).
pub async fn serve_with<F>(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: F,
    recover: bool,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    if recover {
        recover_dreams(&state)
            .await
            .map_err(|error| std::io::Error::other(error.message))?;
    }
    let background = Background::start(&state);
    let limits = state.config().limits.clone();
    let connections = listen::accept_until(listener, app(state.clone()), &limits, shutdown).await;
    tracing::info!(
        deadline_seconds = limits.shutdown_timeout.as_secs_f64(),
        "shutting down: finishing requests and running dreams"
    );
    state.begin_shutdown();
    tokio::join!(
        connections.close(limits.shutdown_timeout),
        background.stop(limits.shutdown_timeout)
    );
    Ok(())
}

/// Marks the dreams a previous run left `running` as failed (they were interrupted) and wakes
/// the workers for pending ones.
pub async fn recover_dreams(state: &AppState) -> Result<(), ApiError> {
    let recovered = state.run(|s| s.recover_dreams()).await?;
    if !recovered.is_empty() {
        tracing::warn!(dreams = ?recovered, "marked dreams interrupted by a crash as failed");
    }
    state.wake_workers();
    Ok(())
}

/// The dream workers and the scheduler of a server.
pub struct Background {
    state: AppState,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Background {
    /// Starts `config.workers` dream workers and the scheduler (what [`serve`] runs; tests
    /// that drive [`app`] directly start them with this). With no workers (an API node of a
    /// shared database) neither runs: other servers run the dreams and fire the schedules.
    pub fn start(state: &AppState) -> Background {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        for _ in 0..state.config().workers {
            tasks.push(tokio::spawn(worker::dream_worker(
                state.clone(),
                stopped.clone(),
            )));
        }
        if state.config().workers > 0 {
            tasks.push(tokio::spawn(worker::scheduler(state.clone(), stopped)));
        }
        state.wake_workers();
        Background {
            state: state.clone(),
            stop,
            tasks,
        }
    }

    /// Stops claiming work and waits (up to `grace`) for running dreams to finish; pending
    /// dreams stay pending. A dream still running at the deadline is canceled (its model
    /// requests stop) and marked failed; the workers get a few more seconds to return.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        let mut wait = Box::pin(futures_util::future::join_all(self.tasks));
        if tokio::time::timeout(grace, &mut wait).await.is_ok() {
            return;
        }
        self.state.begin_shutdown();
        let canceled = self.state.cancel_running_dreams();
        tracing::warn!(
            dreams = canceled,
            "shutdown deadline reached: canceling the running dreams (marked failed)"
        );
        if tokio::time::timeout(Duration::from_secs(5), wait)
            .await
            .is_err()
        {
            tracing::warn!("a dream did not stop; it will be marked failed on start");
        }
    }
}
