//! `lucid mcp` (memory as MCP tools over stdio) and `lucid search` (the same search for a
//! person). Both serve a Markdown folder (`--store DIR`) or a store of a running server
//! (`--server URL --memory-store-id ID`, key from `LUCID_API_KEY`). The tools live in
//! `lucid-mcp`; this module only picks the backend, and adds the one backend that needs an
//! HTTP client: a running server's REST API.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use lucid_mcp::folder::FolderBackend;
use lucid_mcp::server::Fixed;
use lucid_mcp::{FileEntry, Hit, MemoryBackend, ToolError};
use serde_json::{Value, json};

/// Where the memories are.
#[derive(Debug, Clone, Args)]
pub struct Source {
    /// A Markdown folder to serve (a lucid draft, a Claude Code memory folder, `/memories`).
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "server",
        conflicts_with = "server"
    )]
    store: Option<PathBuf>,

    /// A running `lucid serve` (its base URL) whose store to serve instead.
    #[arg(long, value_name = "URL", requires = "memory_store_id")]
    server: Option<String>,

    /// The store of `--server` to serve.
    #[arg(long, value_name = "ID")]
    memory_store_id: Option<String>,

    /// The API key for `--server`.
    #[arg(long, env = "LUCID_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
}

impl Source {
    fn backend(&self) -> anyhow::Result<Arc<dyn MemoryBackend>> {
        match (&self.store, &self.server, &self.memory_store_id) {
            (Some(dir), _, _) => Ok(Arc::new(
                FolderBackend::open(dir).map_err(|e| anyhow::anyhow!("{e}"))?,
            )),
            (None, Some(url), Some(store_id)) => {
                crate::client::install_tls();
                Ok(Arc::new(ApiBackend::new(
                    url,
                    self.api_key.clone(),
                    store_id,
                )?))
            }
            _ => anyhow::bail!("give --store DIR, or --server URL with --memory-store-id ID"),
        }
    }
}

/// Serve memory as MCP tools over stdio (for Claude Code, Claude Desktop, any MCP client).
///
/// Tools: memory_view, memory_create, memory_str_replace, memory_insert, memory_delete,
/// memory_rename, memory_search (and dream_create / dream_status with --server). Paths stay
/// inside the store. Example: `claude mcp add lucid -- lucid mcp --store ~/notes/memory`.
#[derive(Debug, Args)]
pub struct McpArgs {
    #[command(flatten)]
    source: Source,
}

pub fn run_mcp(args: McpArgs) -> anyhow::Result<u8> {
    // stdout carries the protocol: every log line goes to stderr.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LUCID_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .try_init();
    let backend = args.source.backend()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(lucid_mcp::serve_stdio(Arc::new(Fixed(backend))))?;
    Ok(0)
}

/// Search a memory store: the items that best match QUERY, with their file and line.
///
/// BM25 with stemming; identifiers (db-2.internal, render_docx, --force-with-lease) match
/// whole and by part. The same search as `GET /v1/memory_stores/{id}/search` and the MCP
/// tool `memory_search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    source: Source,

    /// What to look for.
    #[arg(required = true, num_args = 1..)]
    query: Vec<String>,

    /// How many items to show.
    #[arg(long, short = 'n', default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=100))]
    limit: u16,

    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run_search(args: SearchArgs) -> anyhow::Result<u8> {
    let backend = args.source.backend()?;
    let query = args.query.join(" ");
    if lucid_search::terms(&query).is_empty() {
        eprintln!("error: {query:?} has no searchable word (common words are ignored)");
        return Ok(crate::EXIT_REFUSED);
    }
    let hits = backend
        .search(&query, usize::from(args.limit))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if args.json {
        let results: Vec<Value> = hits
            .iter()
            .map(|h| json!({"path": h.path, "line": h.line, "text": h.text, "score": h.score}))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "results": results }))?
        );
    } else if hits.is_empty() {
        eprintln!("no memory matched {query:?}");
    } else {
        for hit in &hits {
            println!("{}:{}  ({:.2})", hit.path, hit.line, hit.score);
            for line in hit.text.lines() {
                println!("    {line}");
            }
        }
    }
    Ok(0)
}

/// A store of a running server, through its REST API (memory versions record the API key).
struct ApiBackend {
    http: reqwest::blocking::Client,
    base: String,
    key: Option<String>,
    store_id: String,
}

impl ApiBackend {
    fn new(url: &str, key: Option<String>, store_id: &str) -> anyhow::Result<ApiBackend> {
        let base = url
            .trim_end_matches('/')
            .trim_end_matches("/v1")
            .to_string();
        let http = reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .context("building the HTTP client")?;
        let backend = ApiBackend {
            http,
            base,
            key,
            store_id: store_id.to_string(),
        };
        // Fail at start, not at the first tool call, when the store or key is wrong.
        backend
            .request(reqwest::Method::GET, "", &[], None)
            .map_err(|e| anyhow::anyhow!("cannot open memory store {store_id} at {url}: {e}"))?;
        Ok(backend)
    }

    fn request(
        &self,
        method: reqwest::Method,
        tail: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, ToolError> {
        let url = format!("{}/v1/memory_stores/{}{tail}", self.base, self.store_id);
        self.call(method, &url, query, body)
    }

    fn call(
        &self,
        method: reqwest::Method,
        url: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, ToolError> {
        let mut request = self.http.request(method, url).query(query);
        if let Some(key) = &self.key {
            request = request.header("x-api-key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .map_err(|e| ToolError::Backend(format!("the lucid server did not answer: {e}")))?;
        let status = response.status();
        let value: Value = response.json().unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(value);
        }
        let message = value["error"]["message"]
            .as_str()
            .unwrap_or("no message")
            .to_string();
        Err(match status.as_u16() {
            404 => ToolError::NotFound(message),
            409 => ToolError::Conflict(message),
            400 | 413 | 422 => ToolError::Invalid(message),
            _ => ToolError::Backend(format!("the lucid server answered {status}: {message}")),
        })
    }

    /// The id and content of the memory at `path`, if any.
    fn find(&self, path: &str) -> Result<Option<(String, String)>, ToolError> {
        let parent = match path.rfind('/') {
            Some(0) | None => "/".to_string(),
            Some(at) => format!("{}/", &path[..at]),
        };
        let mut query = vec![("limit", "100".to_string()), ("depth", "1".to_string())];
        if parent != "/" {
            query.push(("path_prefix", parent));
        }
        let mut page: Option<String> = None;
        loop {
            let mut q = query.clone();
            if let Some(cursor) = &page {
                q.push(("page", cursor.clone()));
            }
            let listed = self.request(reqwest::Method::GET, "/memories", &q, None)?;
            for item in listed["data"].as_array().into_iter().flatten() {
                if item["type"] == "memory" && item["path"] == path {
                    let id = item["id"].as_str().unwrap_or_default().to_string();
                    let memory =
                        self.request(reqwest::Method::GET, &format!("/memories/{id}"), &[], None)?;
                    let content = memory["content"].as_str().unwrap_or_default().to_string();
                    return Ok(Some((id, content)));
                }
            }
            match listed["next_page"].as_str() {
                Some(next) => page = Some(next.to_string()),
                None => return Ok(None),
            }
        }
    }

    fn id_of(&self, path: &str) -> Result<String, ToolError> {
        self.find(path)?
            .map(|(id, _)| id)
            .ok_or_else(|| ToolError::NotFound(format!("{path} does not exist")))
    }
}

impl MemoryBackend for ApiBackend {
    fn describe(&self) -> String {
        format!("the memory store {} of {}", self.store_id, self.base)
    }

    fn list(&self, prefix: &str) -> Result<Vec<FileEntry>, ToolError> {
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut query = vec![("limit", "100".to_string())];
            if prefix != "/" {
                query.push(("path_prefix", prefix.to_string()));
            }
            if let Some(cursor) = &page {
                query.push(("page", cursor.clone()));
            }
            let listed = self.request(reqwest::Method::GET, "/memories", &query, None)?;
            for item in listed["data"].as_array().into_iter().flatten() {
                if let Some(path) = item["path"].as_str().filter(|_| item["type"] == "memory") {
                    out.push(FileEntry {
                        path: path.to_string(),
                        size: item["content_size_bytes"].as_u64().unwrap_or(0),
                    });
                }
            }
            match listed["next_page"].as_str() {
                Some(next) => page = Some(next.to_string()),
                None => return Ok(out),
            }
        }
    }

    fn read(&self, path: &str) -> Result<Option<String>, ToolError> {
        Ok(self.find(path)?.map(|(_, content)| content))
    }

    fn create(&self, path: &str, content: &str) -> Result<(), ToolError> {
        self.request(
            reqwest::Method::POST,
            "/memories",
            &[],
            Some(&json!({"path": path, "content": content})),
        )?;
        Ok(())
    }

    fn update(&self, path: &str, expected: &str, content: &str) -> Result<(), ToolError> {
        let id = self.id_of(path)?;
        let body = json!({
            "content": content,
            "precondition": {
                "type": "content_sha256",
                "content_sha256": lucid_storage::ids::sha256_hex(expected.as_bytes()),
            }
        });
        self.request(
            reqwest::Method::POST,
            &format!("/memories/{id}"),
            &[],
            Some(&body),
        )
        .map_err(|error| match error {
            ToolError::Conflict(_) => ToolError::Conflict(format!(
                "{path} changed while it was being edited; memory_view it and try again"
            )),
            other => other,
        })?;
        Ok(())
    }

    fn delete(&self, path: &str) -> Result<(), ToolError> {
        let id = self.id_of(path)?;
        self.request(
            reqwest::Method::DELETE,
            &format!("/memories/{id}"),
            &[],
            None,
        )?;
        Ok(())
    }

    fn rename(&self, from: &str, to: &str) -> Result<(), ToolError> {
        let id = self.id_of(from)?;
        self.request(
            reqwest::Method::POST,
            &format!("/memories/{id}"),
            &[],
            Some(&json!({"path": to})),
        )?;
        Ok(())
    }

    fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, ToolError> {
        let found = self.request(
            reqwest::Method::GET,
            "/search",
            &[("q", query.to_string()), ("limit", limit.to_string())],
            None,
        )?;
        Ok(found["data"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| Hit {
                path: h["path"].as_str().unwrap_or_default().to_string(),
                line: h["line"].as_u64().unwrap_or(0) as usize,
                text: h["text"].as_str().unwrap_or_default().to_string(),
                score: h["score"].as_f64().unwrap_or(0.0) as f32,
            })
            .collect())
    }

    fn dreams(&self) -> bool {
        true
    }

    fn dream_create(&self, sessions: usize, model: Option<&str>) -> Result<Value, ToolError> {
        let listed = self.call(
            reqwest::Method::GET,
            &format!("{}/v1/sessions", self.base),
            &[
                ("memory_store_id", self.store_id.clone()),
                ("limit", sessions.to_string()),
            ],
            None,
        )?;
        let ids: Vec<Value> = listed["data"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| s["id"].clone())
            .collect();
        if ids.is_empty() {
            return Err(ToolError::Invalid(format!(
                "the memory store {} has no sessions yet; a dream reads sessions that used it",
                self.store_id
            )));
        }
        let body = json!({
            "inputs": [
                {"type": "memory_store", "memory_store_id": self.store_id},
                {"type": "sessions", "session_ids": ids},
            ],
            "model": model.unwrap_or("lucid-builtin"),
        });
        self.call(
            reqwest::Method::POST,
            &format!("{}/v1/dreams", self.base),
            &[],
            Some(&body),
        )
    }

    fn dream_status(&self, dream_id: &str) -> Result<Value, ToolError> {
        self.call(
            reqwest::Method::GET,
            &format!("{}/v1/dreams/{dream_id}", self.base),
            &[],
            None,
        )
    }
}
