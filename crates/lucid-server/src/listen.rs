//! The accept loop of [`crate::serve`], in place of `axum::serve`, which has no read timeouts,
//! no connection cap and no way to close a connection that never finishes its request.
//!
//! - At most [`Limits::max_connections`] connections; one more is answered with a `503`
//!   envelope and closed at once (so 10,000 half-open sockets cost 1,024 connections' memory).
//! - A request head must arrive within [`Limits::header_timeout`] (hyper's timer; the same
//!   timeout closes idle kept-alive connections), and a request body may pause at most
//!   [`Limits::body_timeout`] between chunks (tower-http's `TimeoutBody`).
//! - Shutdown: connections with no request being answered (idle, or still sending a head) are
//!   closed at once; the others finish their response and close, until the deadline given to
//!   [`Connections::close`], after which they are closed too.
//! - Each request carries its peer address (`ConnectInfo<SocketAddr>`) for the per-address rate
//!   limit.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;

use crate::limits::Limits;

/// The connections of a server that has stopped accepting.
pub(crate) struct Connections {
    tasks: JoinSet<()>,
    draining: watch::Sender<bool>,
}

impl Connections {
    /// Closes idle connections now and the others once their response is sent; after
    /// `deadline`, closes whatever is still open. Returns how many were closed that way.
    pub(crate) async fn close(mut self, deadline: Duration) -> usize {
        let _ = self.draining.send(true);
        let drained = tokio::time::timeout(deadline, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        let open = self.tasks.len();
        if drained.is_err() && open > 0 {
            tracing::warn!(
                open,
                deadline_seconds = deadline.as_secs_f64(),
                "closing connections still open at the shutdown deadline"
            );
            self.tasks.shutdown().await;
        }
        open
    }
}

/// Accepts connections on `listener` and serves `app` on them until `shutdown` resolves.
pub(crate) async fn accept_until<F>(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: F,
) -> Connections
where
    F: Future<Output = ()>,
{
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let builder = Arc::new(builder);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (draining, drain_signal) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let body_timeout = limits.body_timeout;
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            // Reap finished connections so the set does not grow.
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let Ok(permit) = permits.clone().try_acquire_owned() else {
                        refuse(&stream, limits.max_connections);
                        continue;
                    };
                    // Small JSON responses: do not wait for Nagle.
                    let _ = stream.set_nodelay(true);
                    tasks.spawn(connection(
                        stream,
                        peer,
                        app.clone(),
                        builder.clone(),
                        body_timeout,
                        drain_signal.clone(),
                        permit,
                    ));
                }
                Err(error) => {
                    // Out of file descriptors or a connection reset before it was accepted:
                    // both pass; do not spin meanwhile.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    Connections { tasks, draining }
}

/// Answers a connection over the cap with a `503` envelope and closes it.
fn refuse(stream: &TcpStream, max: usize) {
    let body = serde_json::json!({
        "type": "error",
        "error": {
            "type": "overloaded_error",
            "message": format!(
                "the server has {max} connections open, its limit ([server] max_connections); \
                 retry shortly"
            ),
        },
    })
    .to_string();
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    // A fresh socket's send buffer takes this whole; if not, the client just sees a close.
    let _ = stream.try_write(response.as_bytes());
}

/// Serves one connection; on shutdown, closes it as soon as no request is being answered.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    builder: Arc<hyper::server::conn::http1::Builder>,
    body_timeout: Duration,
    mut draining: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let counter = in_flight.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let guard = InFlight::enter(counter.clone());
        let app = app.clone();
        async move {
            let request = request
                .map(|body| Body::new(tower_http::timeout::TimeoutBody::new(body_timeout, body)));
            let response = match tower::ServiceExt::oneshot(app, request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            // The request counts as in flight until its response body has been sent.
            Ok::<_, Infallible>(response.map(|body| {
                Body::new(Tracked {
                    body,
                    _guard: guard,
                })
            }))
        }
    });
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = draining.wait_for(|draining| *draining) => {}
    }
    connection.as_mut().graceful_shutdown();
    loop {
        // Nothing being answered: idle, or a head still arriving (a half-sent request must not
        // hold the shutdown up). Dropping the connection closes the socket.
        if in_flight.load(Ordering::SeqCst) == 0 {
            return;
        }
        tokio::select! {
            _ = connection.as_mut() => return,
            _ = tokio::time::sleep(Duration::from_millis(20)) => {}
        }
    }
}

/// Counts a request as in flight while it lives.
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn enter(counter: Arc<AtomicUsize>) -> InFlight {
        counter.fetch_add(1, Ordering::SeqCst);
        InFlight(counter)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A response body that keeps its request in flight until it has been sent (or dropped).
struct Tracked {
    body: Body,
    _guard: InFlight,
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
