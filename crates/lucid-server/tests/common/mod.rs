//! Test harness: the app over a fresh SQLite file, with keys for two workspaces.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use lucid_server::{AppState, Background, Config};
use lucid_storage::Storage;
use lucid_storage_sqlite::SqliteStorage;
use serde_json::{Value, json};
use tower::ServiceExt;

pub struct Harness {
    pub app: Router,
    pub state: AppState,
    pub storage: Arc<SqliteStorage>,
    /// A key of workspace `a` (the default caller).
    pub key: String,
    /// A key of workspace `b`.
    pub other_key: String,
    pub dir: tempfile::TempDir,
}

impl Harness {
    pub fn new() -> Harness {
        Self::with_config(Config::default())
    }

    pub fn with_config(config: Config) -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = Arc::new(SqliteStorage::open(&dir.path().join("lucid.db")).expect("open"));
        let (_, key) = storage.create_api_key("a", Some("test")).expect("key a");
        let (_, other_key) = storage.create_api_key("b", None).expect("key b");
        let state = AppState::new(storage.clone(), config).expect("state");
        Harness {
            app: lucid_server::app(state.clone()),
            state,
            storage,
            key,
            other_key,
            dir,
        }
    }

    /// A harness whose database has no key, served in open mode (asked for explicitly).
    pub fn open() -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = Arc::new(SqliteStorage::open(&dir.path().join("lucid.db")).expect("open"));
        let config = Config {
            open: true,
            ..Config::default()
        };
        let state = AppState::new(storage.clone(), config).expect("state");
        Harness {
            app: lucid_server::app(state.clone()),
            state,
            storage,
            key: String::new(),
            other_key: String::new(),
            dir,
        }
    }

    pub fn start_workers(&self) -> Background {
        Background::start(&self.state)
    }

    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        assert!(
            response.headers().contains_key("request-id"),
            "every response has a request-id"
        );
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!(
                    "response body is not JSON ({status}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        assert!(!status.is_server_error(), "never a 5xx: {status} {value}");
        if !status.is_success() {
            assert_envelope(&value);
        }
        (status, value)
    }

    pub async fn call_as(
        &self,
        key: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(key) = key {
            request = request.header("x-api-key", key);
        }
        let body = match body {
            Some(body) => {
                request = request.header("content-type", "application/json");
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).expect("request")).await
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let key = self.key.clone();
        self.call_as(Some(&key), method, path, body).await
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, value) = self.call("GET", path, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {value}");
        value
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let (status, value) = self.call("POST", path, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "POST {path}: {value}");
        value
    }

    /// Posts a raw body with a content type.
    pub async fn post_bytes(
        &self,
        path: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> (StatusCode, Value) {
        let request = Request::builder()
            .method("POST")
            .uri(path)
            .header("x-api-key", &self.key)
            .header("content-type", content_type)
            .body(Body::from(bytes))
            .expect("request");
        self.send(request).await
    }

    pub async fn store(&self, name: &str) -> String {
        id(&self
            .post("/v1/memory_stores", json!({ "name": name }))
            .await)
    }

    pub async fn memory(&self, store: &str, path: &str, content: &str) -> Value {
        self.post(
            &format!("/v1/memory_stores/{store}/memories"),
            json!({"path": path, "content": content}),
        )
        .await
    }

    pub async fn agent(&self, name: &str) -> String {
        id(&self
            .post(
                "/v1/agents",
                json!({"name": name, "model": "claude-sonnet-4-5"}),
            )
            .await)
    }

    /// A session of a team member stating a preference, attached to `store`.
    pub async fn session(&self, agent: &str, store: Option<&str>, text: &str) -> String {
        let mut body = json!({
            "agent": agent,
            "users": "team",
            "environment_id": "env_test",
            "initial_events": [{"type": "user.message", "content": [{"type": "text", "text": text}]}],
        });
        if let Some(store) = store {
            body["resources"] = json!([{"type": "memory_store", "memory_store_id": store}]);
        }
        id(&self.post("/v1/sessions", body).await)
    }

    pub async fn dream(&self, store: &str, sessions: &[&str]) -> Value {
        self.post(
            "/v1/dreams",
            json!({
                "inputs": [
                    {"type": "memory_store", "memory_store_id": store},
                    {"type": "sessions", "session_ids": sessions},
                ],
                "model": "lucid-builtin",
            }),
        )
        .await
    }

    /// Polls a dream until its status is final.
    pub async fn wait_dream(&self, id: &str) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let dream = self.get(&format!("/v1/dreams/{id}")).await;
            let status = dream["status"].as_str().unwrap_or_default();
            if matches!(status, "completed" | "failed" | "canceled") {
                return dream;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "dream {id} still {status}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

pub fn id(value: &Value) -> String {
    value["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {value}"))
        .to_string()
}

/// `{"type":"error","error":{"type":…,"message":…}}`
pub fn assert_envelope(value: &Value) {
    assert_eq!(value["type"], "error", "error envelope: {value}");
    assert!(
        value["error"]["type"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "error type: {value}"
    );
    assert!(
        value["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "error message: {value}"
    );
}

/// Asserts a 4xx with the given status and error type.
#[track_caller]
pub fn assert_error(result: &(StatusCode, Value), status: u16, kind: &str) {
    assert_eq!(result.0.as_u16(), status, "{}", result.1);
    assert_eq!(result.1["error"]["type"], kind, "{}", result.1);
}

/// The example fleet's transcripts.
pub fn example(path: &str) -> Vec<u8> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fleet");
    std::fs::read(root.join(path)).expect("example file")
}
