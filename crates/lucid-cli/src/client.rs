//! CLI clients of a running `lucid serve`: `lucid stores`, `memories`, `sessions`, `dreams`.
//! Output is the server's JSON (pretty-printed) unless a command says otherwise; errors print
//! the server's message and exit 1.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

/// Where the server is and how to authenticate.
#[derive(Debug, Clone, Args)]
pub struct Connection {
    /// The server's base URL.
    #[arg(
        long,
        env = "LUCID_URL",
        default_value = "http://127.0.0.1:8787",
        global = true
    )]
    url: String,

    /// An API key (`lucid keys create`); not needed for a server without keys.
    #[arg(long, env = "LUCID_API_KEY", global = true, hide_env_values = true)]
    api_key: Option<String>,
}

pub struct Client {
    base: String,
    key: Option<String>,
    http: reqwest::blocking::Client,
}

/// Installs rustls' ring crypto provider (the one TLS provider of the build) before the first
/// HTTP client is made; later calls do nothing.
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Client {
    pub fn new(connection: &Connection) -> anyhow::Result<Client> {
        install_tls();
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .context("creating the HTTP client")?;
        Ok(Client {
            base: connection.url.trim_end_matches('/').to_string(),
            key: connection.api_key.clone(),
            http,
        })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::blocking::RequestBuilder {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(key) = &self.key {
            request = request.header("x-api-key", key);
        }
        request
    }

    fn send(&self, request: reqwest::blocking::RequestBuilder) -> anyhow::Result<Value> {
        let response = request
            .send()
            .with_context(|| format!("cannot reach the lucid server at {}", self.base))?;
        let status = response.status();
        let text = response.text().context("reading the response")?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if status.is_success() {
            return Ok(body);
        }
        let message = body
            .pointer("/error/message")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| body.to_string());
        let kind = body
            .pointer("/error/type")
            .and_then(Value::as_str)
            .unwrap_or("error");
        bail!("{} {kind}: {message}", status.as_u16())
    }

    pub fn get(&self, path: &str, query: &[(&str, String)]) -> anyhow::Result<Value> {
        self.send(self.request(reqwest::Method::GET, path).query(query))
    }

    pub fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.send(self.request(reqwest::Method::POST, path).json(body))
    }

    pub fn post_raw(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: Vec<u8>,
    ) -> anyhow::Result<Value> {
        self.send(
            self.request(reqwest::Method::POST, path)
                .query(query)
                .header("content-type", "application/octet-stream")
                .body(body),
        )
    }
}

fn print(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    );
}

fn metadata(pairs: &[String]) -> anyhow::Result<Value> {
    let mut map = serde_json::Map::new();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            bail!("--metadata takes KEY=VALUE, not {pair:?}");
        };
        map.insert(key.to_string(), json!(value));
    }
    Ok(Value::Object(map))
}

// ---------------------------------------------------------------------------------------------
// stores

/// Memory stores on a running server.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  lucid stores create \"Fleet memory\" --metadata team=legal\n  lucid stores list --include-archived\n  LUCID_URL=http://lucid:8787 LUCID_API_KEY=sk-lucid-… lucid stores get memstore_…"
)]
pub struct StoresArgs {
    #[command(subcommand)]
    command: StoresCommand,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, Subcommand)]
enum StoresCommand {
    /// Create a store; prints it.
    Create {
        name: String,
        #[arg(long)]
        description: Option<String>,
        /// KEY=VALUE, repeatable.
        #[arg(long, value_name = "KEY=VALUE")]
        metadata: Vec<String>,
        /// Let dreams update this store in place (output_behavior update_existing).
        #[arg(long)]
        auto_apply: bool,
    },
    /// List stores (oldest first).
    List {
        #[arg(long)]
        include_archived: bool,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show a store.
    Get { id: String },
    /// Archive a store (one-way: read-only afterwards).
    Archive { id: String },
}

pub fn stores(args: StoresArgs) -> anyhow::Result<u8> {
    let client = Client::new(&args.connection)?;
    let value = match args.command {
        StoresCommand::Create {
            name,
            description,
            metadata: pairs,
            auto_apply,
        } => {
            let mut body = json!({"name": name, "metadata": metadata(&pairs)?});
            if let Some(description) = description {
                body["description"] = json!(description);
            }
            if auto_apply {
                body["auto_apply"] = json!(true);
            }
            client.post("/v1/memory_stores", &body)?
        }
        StoresCommand::List {
            include_archived,
            limit,
        } => client.get(
            "/v1/memory_stores",
            &[
                ("include_archived", include_archived.to_string()),
                ("limit", limit.to_string()),
            ],
        )?,
        StoresCommand::Get { id } => client.get(&format!("/v1/memory_stores/{id}"), &[])?,
        StoresCommand::Archive { id } => {
            client.post(&format!("/v1/memory_stores/{id}/archive"), &json!({}))?
        }
    };
    print(&value);
    Ok(0)
}

// ---------------------------------------------------------------------------------------------
// memories

/// Memories of a store on a running server.
#[derive(Debug, Args)]
pub struct MemoriesArgs {
    #[command(subcommand)]
    command: MemoriesCommand,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, Subcommand)]
enum MemoriesCommand {
    /// List the memories of a store (paths; --full for content).
    List {
        store: String,
        /// Only paths under this prefix, e.g. /notes/.
        #[arg(long)]
        prefix: Option<String>,
        /// Levels below the prefix to list; deeper paths are rolled up.
        #[arg(long)]
        depth: Option<u32>,
        #[arg(long)]
        full: bool,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show a memory with its content.
    Get { store: String, memory: String },
    /// Create a memory (never overwrites an existing path).
    Create {
        store: String,
        /// Path in the store, e.g. /team/conventions.md.
        path: String,
        /// The content (or --file).
        #[arg(long, conflicts_with = "file")]
        content: Option<String>,
        /// Read the content from a file.
        #[arg(long)]
        file: Option<PathBuf>,
    },
}

pub fn memories(args: MemoriesArgs) -> anyhow::Result<u8> {
    let client = Client::new(&args.connection)?;
    let value = match args.command {
        MemoriesCommand::List {
            store,
            prefix,
            depth,
            full,
            limit,
        } => {
            let mut query = vec![("limit", limit.to_string())];
            if let Some(prefix) = prefix {
                query.push(("path_prefix", prefix));
            }
            if let Some(depth) = depth {
                query.push(("depth", depth.to_string()));
            }
            if full {
                query.push(("view", "full".into()));
            }
            client.get(&format!("/v1/memory_stores/{store}/memories"), &query)?
        }
        MemoriesCommand::Get { store, memory } => {
            client.get(&format!("/v1/memory_stores/{store}/memories/{memory}"), &[])?
        }
        MemoriesCommand::Create {
            store,
            path,
            content,
            file,
        } => {
            let content = match (content, file) {
                (Some(content), _) => content,
                (None, Some(file)) => std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?,
                (None, None) => bail!("give --content TEXT or --file FILE"),
            };
            client.post(
                &format!("/v1/memory_stores/{store}/memories"),
                &json!({"path": path, "content": content}),
            )?
        }
    };
    print(&value);
    Ok(0)
}

// ---------------------------------------------------------------------------------------------
// sessions

/// Sessions on a running server.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  lucid sessions import ~/.claude/projects/myproj --agent coder --store memstore_…\n  lucid sessions list --store memstore_…\n  lucid sessions trust sesn_… quarantined"
)]
pub struct SessionsArgs {
    #[command(subcommand)]
    command: SessionsCommand,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, Subcommand)]
enum SessionsCommand {
    /// Import transcript files (any format `lucid dream` reads; folders are read recursively)
    /// as sessions of an agent. Prints one line per file: session id and file.
    Import {
        /// Transcript files, or folders (read recursively for .jsonl, .json, .ndjson).
        #[arg(required = true, num_args = 1..)]
        files: Vec<PathBuf>,
        /// The agent: an agent id, or a name (created if new).
        #[arg(long)]
        agent: String,
        /// Attach this memory store to each session.
        #[arg(long)]
        store: Option<String>,
        /// The format, when detection should be skipped (claude_code, managed_agents, …).
        #[arg(long)]
        format: Option<String>,
        /// The sessions' trust as dream input: default, trusted, untrusted or quarantined.
        #[arg(long)]
        trust: Option<String>,
        /// Whose words the user messages are: team (the default for imports) or external (a
        /// customer's: untrusted, scanned for injections, never a memory).
        #[arg(long, value_parser = ["team", "external"])]
        users: Option<String>,
    },
    /// List sessions (newest first).
    List {
        #[arg(long)]
        agent: Option<String>,
        #[arg(long)]
        store: Option<String>,
        /// Only sessions with this trust (repeatable).
        #[arg(long)]
        trust: Vec<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show a session.
    Get { id: String },
    /// Set a session's trust as dream input: default (each event by its origin), trusted,
    /// untrusted, or quarantined (never feeds a dream).
    Trust { id: String, level: String },
}

pub fn sessions(args: SessionsArgs) -> anyhow::Result<u8> {
    let client = Client::new(&args.connection)?;
    match args.command {
        SessionsCommand::Import {
            files,
            agent,
            store,
            format,
            trust,
            users,
        } => {
            let files = lucid_fs::find_transcripts(&files)?;
            if files.is_empty() {
                bail!("no transcript files found (looked for .jsonl, .json, .ndjson)");
            }
            let mut failed = 0;
            for file in files {
                let bytes =
                    std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let mut query = vec![("agent", agent.clone()), ("filename", name)];
                if let Some(store) = &store {
                    query.push(("memory_store_id", store.clone()));
                }
                if let Some(format) = &format {
                    query.push(("format", format.clone()));
                }
                if let Some(trust) = &trust {
                    query.push(("trust", trust.clone()));
                }
                if let Some(users) = &users {
                    query.push(("users", users.clone()));
                }
                match client.post_raw("/v1/sessions/import", &query, bytes) {
                    Ok(session) => println!(
                        "{}\t{}\t{} events",
                        session["id"].as_str().unwrap_or("?"),
                        file.display(),
                        session["event_count"]
                    ),
                    Err(error) => {
                        failed += 1;
                        eprintln!("error: {}: {error:#}", file.display());
                    }
                }
            }
            Ok(if failed > 0 { 1 } else { 0 })
        }
        SessionsCommand::List {
            agent,
            store,
            trust,
            limit,
        } => {
            let mut query = vec![("limit", limit.to_string())];
            if let Some(agent) = agent {
                query.push(("agent_id", agent));
            }
            if let Some(store) = store {
                query.push(("memory_store_id", store));
            }
            query.extend(trust.into_iter().map(|t| ("trust[]", t)));
            print(&client.get("/v1/sessions", &query)?);
            Ok(0)
        }
        SessionsCommand::Get { id } => {
            print(&client.get(&format!("/v1/sessions/{id}"), &[])?);
            Ok(0)
        }
        SessionsCommand::Trust { id, level } => {
            print(&client.post(&format!("/v1/sessions/{id}"), &json!({"trust": level}))?);
            Ok(0)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// dreams

/// Dreams on a running server.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  lucid dreams create --store memstore_… --sessions sesn_1 sesn_2 --watch\n  lucid dreams diff drm_…\n  lucid dreams promote drm_… --agent agent_…\n  lucid dreams promote drm_… --agent agent_… --accept-flags   # after reviewing its flags"
)]
pub struct DreamsArgs {
    #[command(subcommand)]
    command: DreamsCommand,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, Subcommand)]
enum DreamsCommand {
    /// Create a dream over a store and sessions; prints it (pending). --watch follows it.
    Create {
        /// The input memory store.
        #[arg(long)]
        store: String,
        /// Session ids (1 to 100).
        #[arg(long, num_args = 1.., required = true)]
        sessions: Vec<String>,
        /// Steer the dream (1 to 4,096 characters).
        #[arg(long)]
        instructions: Option<String>,
        /// The model: lucid-builtin (the built-in curator) or a name the server configures in
        /// its [models] section (others are refused with the list).
        #[arg(long, default_value = "lucid-builtin")]
        model: String,
        /// Only sessions pinned trusted feed the dream (the others are skipped).
        #[arg(long)]
        trusted_only: bool,
        /// Follow the narration until the dream ends.
        #[arg(long)]
        watch: bool,
    },
    /// Show a dream.
    Get { id: String },
    /// List dreams (newest first).
    List {
        /// Only these statuses (repeatable): pending, running, completed, failed, canceled.
        #[arg(long)]
        status: Vec<String>,
        #[arg(long)]
        include_archived: bool,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Cancel a pending or running dream.
    Cancel { id: String },
    /// Print a completed dream's report (JSON).
    Report { id: String },
    /// Print a completed dream's per-document changes as unified diffs.
    Diff {
        id: String,
        /// Print the JSON instead.
        #[arg(long)]
        json: bool,
    },
    /// Switch agents to the dream's output store (atomically; `rollback` on an agent undoes).
    /// A dream whose report has flags is refused unless --accept-flags.
    Promote {
        id: String,
        /// Agent ids (repeatable).
        #[arg(long = "agent", required = true)]
        agents: Vec<String>,
        /// Acknowledge the report's flags (refused secrets, instruction-like text, untrusted
        /// memory writes) after reviewing them (`lucid dreams diff` lists them).
        #[arg(long)]
        accept_flags: bool,
    },
    /// Archive a finished dream's output store.
    Discard { id: String },
    /// Stream a dream's narration until it ends; exit 0 if it completed, 1 otherwise.
    Watch { id: String },
}

pub fn dreams(args: DreamsArgs) -> anyhow::Result<u8> {
    let client = Client::new(&args.connection)?;
    match args.command {
        DreamsCommand::Create {
            store,
            sessions,
            instructions,
            model,
            trusted_only,
            watch: follow,
        } => {
            let mut body = json!({
                "inputs": [
                    {"type": "memory_store", "memory_store_id": store},
                    {"type": "sessions", "session_ids": sessions},
                ],
                "model": model,
            });
            if let Some(text) = instructions {
                body["instructions"] = json!(text);
            }
            if trusted_only {
                body["inputs"][1]["trusted_only"] = json!(true);
            }
            let dream = client.post("/v1/dreams", &body)?;
            if follow {
                let id = dream["id"].as_str().unwrap_or_default().to_string();
                eprintln!("dream {id} created");
                return watch(&client, &id);
            }
            print(&dream);
            Ok(0)
        }
        DreamsCommand::Get { id } => {
            print(&client.get(&format!("/v1/dreams/{id}"), &[])?);
            Ok(0)
        }
        DreamsCommand::List {
            status,
            include_archived,
            limit,
        } => {
            let mut query = vec![
                ("limit", limit.to_string()),
                ("include_archived", include_archived.to_string()),
            ];
            query.extend(status.into_iter().map(|s| ("statuses[]", s)));
            print(&client.get("/v1/dreams", &query)?);
            Ok(0)
        }
        DreamsCommand::Cancel { id } => {
            print(&client.post(&format!("/v1/dreams/{id}/cancel"), &json!({}))?);
            Ok(0)
        }
        DreamsCommand::Report { id } => {
            print(&client.get(&format!("/v1/dreams/{id}/report"), &[])?);
            Ok(0)
        }
        DreamsCommand::Diff { id, json } => {
            let diff = client.get(&format!("/v1/dreams/{id}/diff"), &[])?;
            if json {
                print(&diff);
            } else {
                let summary = &diff["summary"];
                eprintln!(
                    "{} added, {} removed, {} changed, {} unchanged",
                    summary["added"], summary["removed"], summary["changed"], summary["unchanged"]
                );
                for document in diff["data"].as_array().into_iter().flatten() {
                    print!("{}", document["diff"].as_str().unwrap_or_default());
                }
                // The review notes go to stderr, so stdout stays a patch.
                let flags: Vec<&Value> = diff["flags"].as_array().into_iter().flatten().collect();
                if !flags.is_empty() {
                    eprintln!(
                        "{} flagged change(s); promoting needs --accept-flags:",
                        flags.len()
                    );
                    for flag in flags {
                        eprintln!(
                            "  [{}] {}: {}",
                            flag["trust"].as_str().unwrap_or("?"),
                            flag["reason"].as_str().unwrap_or_default(),
                            flag["text"].as_str().unwrap_or_default()
                        );
                    }
                }
            }
            Ok(0)
        }
        DreamsCommand::Promote {
            id,
            agents,
            accept_flags,
        } => {
            print(&client.post(
                &format!("/v1/dreams/{id}/promote"),
                &json!({"agent_ids": agents, "accept_flags": accept_flags}),
            )?);
            Ok(0)
        }
        DreamsCommand::Discard { id } => {
            print(&client.post(&format!("/v1/dreams/{id}/discard"), &json!({}))?);
            Ok(0)
        }
        DreamsCommand::Watch { id } => watch(&client, &id),
    }
}

fn is_final(status: &str) -> bool {
    matches!(status, "completed" | "failed" | "canceled")
}

/// Streams the narration session of a dream (SSE) and prints each line; returns when the
/// dream has ended.
fn watch(client: &Client, id: &str) -> anyhow::Result<u8> {
    // The narration session exists once a worker has started the dream.
    let started = Instant::now();
    let session = loop {
        let dream = client.get(&format!("/v1/dreams/{id}"), &[])?;
        let status = dream["status"].as_str().unwrap_or_default().to_string();
        if let Some(session) = dream["session_id"].as_str() {
            break session.to_string();
        }
        if is_final(&status) {
            return finish(client, id);
        }
        if started.elapsed() > Duration::from_secs(3600) {
            bail!("dream {id} has been {status} for an hour without starting");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut request = client
        .request(
            reqwest::Method::GET,
            &format!("/v1/sessions/{session}/events/stream"),
        )
        .timeout(Duration::from_secs(24 * 3600));
    request = request.header("accept", "text/event-stream");
    let response = request
        .send()
        .with_context(|| format!("streaming the events of {session}"))?;
    if !response.status().is_success() {
        let status = response.status();
        let text = response.text().unwrap_or_default();
        bail!("{} {text}", status.as_u16());
    }
    let mut event_type = String::new();
    let mut data = String::new();
    for line in BufReader::new(response).lines() {
        let line = line.context("reading the event stream")?;
        if let Some(value) = line.strip_prefix("event:") {
            event_type = value.trim().to_string();
        } else if let Some(value) = line.strip_prefix("data:") {
            data.push_str(value.trim_start());
        } else if line.is_empty() && !data.is_empty() {
            let event: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
            data.clear();
            match event_type.as_str() {
                "agent.message" => {
                    for block in event["content"].as_array().into_iter().flatten() {
                        if let Some(text) = block["text"].as_str() {
                            println!("{text}");
                        }
                    }
                }
                "session.error" => println!(
                    "error: {}: {}",
                    event["error"]["lucid_type"]
                        .as_str()
                        .or(event["error"]["type"].as_str())
                        .unwrap_or("error"),
                    event["error"]["message"].as_str().unwrap_or_default()
                ),
                "session.status_terminated" => break,
                "error" => bail!("{}", event["error"]["message"]),
                _ => {}
            }
        }
    }
    finish(client, id)
}

fn finish(client: &Client, id: &str) -> anyhow::Result<u8> {
    // The stream ends with the dream; the status is final by now (or within moments).
    let started = Instant::now();
    loop {
        let dream = client.get(&format!("/v1/dreams/{id}"), &[])?;
        let status = dream["status"].as_str().unwrap_or_default();
        if is_final(status) || started.elapsed() > Duration::from_secs(10) {
            let output = dream["outputs"][0]["memory_store_id"]
                .as_str()
                .unwrap_or("-");
            println!("dream {id} {status}; output memory store {output}");
            if let Some(message) = dream["error"]["message"].as_str() {
                println!(
                    "  {}: {message}",
                    dream["error"]["type"].as_str().unwrap_or("")
                );
            }
            return Ok(if status == "completed" { 0 } else { 1 });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
