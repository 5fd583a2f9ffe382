//! CLI clients of a running `lucid serve`: `lucid stores`, `memories`, `agents`, `sessions`,
//! `dreams`. Output is the server's JSON (pretty-printed) when piped, a table for lists on a
//! terminal (`--format`, `--json`, `-q` choose); errors print the server's message and exit 1.

use std::io::{BufRead, BufReader, IsTerminal};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};

/// Where the server is and how to authenticate.
#[derive(Debug, Clone, Args)]
pub struct Connection {
    /// The server's base URL, without `/v1` (a trailing `/v1` is dropped with a note).
    #[arg(
        long,
        env = "LUCID_URL",
        default_value = "http://127.0.0.1:8787",
        global = true
    )]
    url: String,

    /// An API key (`lucid keys create`); not needed for a server started with --open.
    #[arg(long, env = "LUCID_API_KEY", global = true, hide_env_values = true)]
    api_key: Option<String>,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The server's JSON, pretty-printed.
    Json,
    /// Lists as aligned columns, one object as `field: value` lines.
    Table,
}

/// Output options shared by the client commands.
#[derive(Debug, Clone, Args)]
pub struct Output {
    /// Output format [default: table for lists on a terminal, json otherwise].
    #[arg(long, value_enum, global = true)]
    format: Option<Format>,

    /// Print JSON (the same as --format json).
    #[arg(long, global = true, conflicts_with = "format")]
    json: bool,

    /// Print only ids, one a line (of each listed item, or of the object).
    #[arg(short, long, global = true, conflicts_with_all = ["format", "json"])]
    quiet: bool,
}

impl Output {
    fn format_for(&self, value: &Value) -> Format {
        if self.json {
            return Format::Json;
        }
        self.format.unwrap_or_else(|| {
            // A person at a terminal reads lists as a table; scripts (pipes) keep JSON.
            if value["data"].is_array() && std::io::stdout().is_terminal() {
                Format::Table
            } else {
                Format::Json
            }
        })
    }

    /// Prints a server answer as asked.
    fn print(&self, value: &Value) {
        if self.quiet {
            for id in ids(value) {
                println!("{id}");
            }
            return;
        }
        match self.format_for(value) {
            Format::Json => print_json(value),
            Format::Table => print_table(value),
        }
    }
}

fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    );
}

/// The ids a `-q` prints: those of a list's items, else the object's own, else those of the
/// objects it carries (a promotion's agents).
fn ids(value: &Value) -> Vec<String> {
    let id_of = |v: &Value| v["id"].as_str().map(str::to_string);
    if let Some(items) = value["data"].as_array() {
        return items.iter().filter_map(id_of).collect();
    }
    if let Some(id) = id_of(value) {
        return vec![id];
    }
    value["agents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(id_of)
        .collect()
}

/// The columns a table may show, in order; a column appears when some row has a value for it.
const COLUMNS: &[&str] = &[
    "id",
    "name",
    "path",
    "status",
    "trust",
    "users",
    "agent",
    "memory_store_id",
    "version",
    "flag_count",
    "event_count",
    "content_size_bytes",
    "created_at",
    "archived_at",
];

/// A cell: strings as they are, objects by their name or id, arrays by their length; long
/// values are cut so one row stays one line.
fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Object(map) => map
            .get("name")
            .or_else(|| map.get("id"))
            .and_then(Value::as_str)
            .unwrap_or("{…}")
            .to_string(),
        Value::Array(items) => format!("[{}]", items.len()),
        other => other.to_string(),
    };
    let text = text.replace(['\n', '\t'], " ");
    if text.chars().count() > 48 {
        let cut: String = text.chars().take(47).collect();
        format!("{cut}…")
    } else {
        text
    }
}

fn print_table(value: &Value) {
    let Some(rows) = value["data"].as_array() else {
        // One object: a field a line.
        if let Some(map) = value.as_object() {
            let width = map.keys().map(|k| k.chars().count()).max().unwrap_or(0);
            for (key, field) in map {
                println!("{key:<width$}  {}", cell(field));
            }
        } else {
            print_json(value);
        }
        return;
    };
    let columns: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| rows.iter().any(|row| !cell(&row[*c]).is_empty()))
        .collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| columns.iter().map(|c| cell(&row[*c])).collect())
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|row| row[i].chars().count())
                .chain([c.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |values: Vec<String>| {
        let padded: Vec<String> = values
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v:<w$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(columns.iter().map(|c| c.to_uppercase()).collect());
    for row in cells {
        line(row);
    }
    if rows.is_empty() {
        eprintln!("(none)");
    }
    if value["next_page"].is_string() {
        eprintln!("(more: raise --limit to see them)");
    }
}

/// The server could not be reached at all (no answer): retrying other requests is pointless.
#[derive(Debug)]
pub struct Unreachable(String);

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unreachable {}

fn is_unreachable(error: &anyhow::Error) -> bool {
    error.downcast_ref::<Unreachable>().is_some()
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

/// The base URL without trailing slashes or `/v1`: every route already starts with `/v1`, and a
/// URL copied from an SDK setup often ends with it (which gave "no route for GET /v1/v1/…").
fn normalise_base(url: &str) -> (String, bool) {
    let trimmed = url.trim_end_matches('/');
    match trimmed.strip_suffix("/v1") {
        Some(base) => (base.trim_end_matches('/').to_string(), true),
        None => (trimmed.to_string(), false),
    }
}

impl Client {
    pub fn new(connection: &Connection) -> anyhow::Result<Client> {
        install_tls();
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .context("creating the HTTP client")?;
        let (base, dropped) = normalise_base(&connection.url);
        if dropped {
            eprintln!(
                "note: --url {} ends with /v1; lucid adds /v1 itself, so {base} is used",
                connection.url
            );
        }
        Ok(Client {
            base,
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
        let response = match request.send() {
            Ok(response) => response,
            Err(error) if error.is_connect() => {
                return Err(anyhow::Error::new(Unreachable(format!(
                    "cannot reach the lucid server at {} ({}); is `lucid serve` running there? \
                     (--url or LUCID_URL)",
                    self.base,
                    root_cause(&error)
                ))));
            }
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("no answer from the lucid server at {}", self.base));
            }
        };
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
        Err(anyhow::Error::new(ApiFailure {
            status: status.as_u16(),
            message: format!("{} {kind}: {message}", status.as_u16()),
        }))
    }

    pub fn get(&self, path: &str, query: &[(&str, String)]) -> anyhow::Result<Value> {
        self.send(self.request(reqwest::Method::GET, path).query(query))
    }

    pub fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.send(self.request(reqwest::Method::POST, path).json(body))
    }

    pub fn delete(&self, path: &str, query: &[(&str, String)]) -> anyhow::Result<Value> {
        self.send(self.request(reqwest::Method::DELETE, path).query(query))
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

    /// Every item of a list, following `next_page`.
    fn list_all(&self, path: &str, query: &[(&str, String)]) -> anyhow::Result<Vec<Value>> {
        let mut items = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut q = query.to_vec();
            q.push(("limit", "100".into()));
            if let Some(cursor) = &page {
                q.push(("page", cursor.clone()));
            }
            let value = self.get(path, &q)?;
            items.extend(value["data"].as_array().into_iter().flatten().cloned());
            match value["next_page"].as_str() {
                Some(next) if page.as_deref() != Some(next) => page = Some(next.to_string()),
                _ => return Ok(items),
            }
        }
    }

    /// A memory id from an id or a path (`/team/a.md`), looked up through the list API.
    fn memory_id(&self, store: &str, memory: &str) -> anyhow::Result<String> {
        if !memory.starts_with('/') {
            return Ok(memory.to_string());
        }
        // List only the folder that holds the path; the server normalises the prefix.
        let folder = match memory.rfind('/') {
            Some(at) => &memory[..=at],
            None => "/",
        };
        let items = self.list_all(
            &format!("/v1/memory_stores/{store}/memories"),
            &[("path_prefix", folder.to_string())],
        )?;
        items
            .iter()
            .find(|item| item["type"] == "memory" && item["path"] == memory)
            .and_then(|item| item["id"].as_str())
            .map(str::to_string)
            .with_context(|| {
                format!(
                    "no memory at {memory} in {store} (`lucid memories list {store}` lists them)"
                )
            })
    }

    /// An agent id from an id or a name.
    fn agent_id(&self, agent: &str) -> anyhow::Result<String> {
        let agents = self.list_all("/v1/agents", &[])?;
        if agents.iter().any(|a| a["id"] == agent) {
            return Ok(agent.to_string());
        }
        let named: Vec<&str> = agents
            .iter()
            .filter(|a| a["name"] == agent)
            .filter_map(|a| a["id"].as_str())
            .collect();
        match named.as_slice() {
            [one] => Ok((*one).to_string()),
            [] => bail!("no agent with the id or name {agent:?} (`lucid agents list` lists them)"),
            many => bail!(
                "{} agents are named {agent:?} ({}); give an id",
                many.len(),
                many.join(", ")
            ),
        }
    }
}

/// An error answer from the server (status and its message).
#[derive(Debug)]
pub struct ApiFailure {
    status: u16,
    message: String,
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiFailure {}

fn status_of(error: &anyhow::Error) -> Option<u16> {
    error.downcast_ref::<ApiFailure>().map(|f| f.status)
}

/// The innermost message of an error chain ("Connection refused"), not reqwest's wrapper.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
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

/// Content from --content or --file.
fn content_of(content: Option<String>, file: Option<PathBuf>) -> anyhow::Result<Option<String>> {
    Ok(match (content, file) {
        (Some(content), _) => Some(content),
        (None, Some(file)) => Some(
            std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?,
        ),
        (None, None) => None,
    })
}

// ---------------------------------------------------------------------------------------------
// stores

/// Memory stores on a running server.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lucid stores create \"Fleet memory\" --metadata team=legal
  lucid stores upload ./memory --name \"Fleet memory\"
  lucid stores list --include-archived
  LUCID_URL=http://lucid:8787 LUCID_API_KEY=sk-lucid-… lucid stores get memstore_…")]
pub struct StoresArgs {
    #[command(subcommand)]
    command: StoresCommand,
    #[command(flatten)]
    connection: Connection,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Subcommand)]
enum StoresCommand {
    /// Create a store; prints it.
    Create {
        /// The store's name.
        name: String,
        /// A description of the store.
        #[arg(long, allow_hyphen_values = true)]
        description: Option<String>,
        /// KEY=VALUE, repeatable.
        #[arg(long, value_name = "KEY=VALUE")]
        metadata: Vec<String>,
        /// Let dreams update this store in place (output_behavior update_existing).
        #[arg(long)]
        auto_apply: bool,
    },
    /// Upload a folder of Markdown files (read recursively; hidden files are left out) as
    /// memories, one per file, at the file's path inside the folder (`notes/a.md` →
    /// `/notes/a.md`). Into a new store (named --name, else after the folder) or --store.
    Upload {
        /// The folder of Markdown (.md) files.
        dir: PathBuf,
        /// Upload into this existing store (id) instead of creating one.
        #[arg(long)]
        store: Option<String>,
        /// The new store's name (default: the folder's name).
        #[arg(long, conflicts_with = "store")]
        name: Option<String>,
        /// Replace the content of memories that already exist at a path (otherwise they are
        /// left as they are and reported).
        #[arg(long)]
        replace: bool,
    },
    /// List stores (oldest first).
    List {
        /// Include archived stores.
        #[arg(long)]
        include_archived: bool,
        /// At most this many (1 to 100).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show a store.
    Get {
        /// The store id (`memstore_…`).
        id: String,
    },
    /// Archive a store (one-way: read-only afterwards).
    Archive {
        /// The store id (`memstore_…`).
        id: String,
    },
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
        StoresCommand::Upload {
            dir,
            store,
            name,
            replace,
        } => return upload(&client, &args.output, &dir, store, name, replace),
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
    args.output.print(&value);
    Ok(0)
}

/// The Markdown files under `dir` with their store paths, sorted by path.
fn markdown_files(dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> anyhow::Result<()> {
        let entries =
            std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
            let path = entry.path();
            // Hidden files and folders (.git, editor state) are not memories.
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if path.extension().is_some_and(|e| e == "md") {
                let relative = path.strip_prefix(root).unwrap_or(&path);
                let segments: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push((format!("/{}", segments.join("/")), path));
            }
        }
        Ok(())
    }
    if !dir.is_dir() {
        bail!("{} is not a folder", dir.display());
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files)?;
    files.sort();
    Ok(files)
}

fn upload(
    client: &Client,
    output: &Output,
    dir: &Path,
    store: Option<String>,
    name: Option<String>,
    replace: bool,
) -> anyhow::Result<u8> {
    let files = markdown_files(dir)?;
    if files.is_empty() {
        bail!("no Markdown (.md) files in {}", dir.display());
    }
    // Every file is read before anything is created, so an unreadable file leaves no half store.
    let mut contents = Vec::new();
    for (path, file) in &files {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("reading {} (memories are UTF-8 text)", file.display()))?;
        contents.push((path.clone(), text));
    }
    let store_id = match store {
        Some(id) => id,
        None => {
            let name = name.unwrap_or_else(|| {
                dir.canonicalize()
                    .ok()
                    .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .unwrap_or_else(|| "uploaded".into())
            });
            let created = client.post("/v1/memory_stores", &json!({"name": name}))?;
            let id = created["id"]
                .as_str()
                .context("the server's store has no id")?
                .to_string();
            eprintln!("created store {id} ({name})");
            id
        }
    };
    let memories_path = format!("/v1/memory_stores/{store_id}/memories");
    let mut uploaded = Vec::new();
    let mut failed = 0;
    for (path, content) in contents {
        let body = json!({"path": path, "content": content});
        let result = match client.post(&memories_path, &body) {
            Err(error) if replace && status_of(&error) == Some(409) => {
                client.memory_id(&store_id, &path).and_then(|id| {
                    client.post(
                        &format!("{memories_path}/{id}"),
                        &json!({"content": content}),
                    )
                })
            }
            other => other,
        };
        match result {
            Ok(memory) => uploaded.push(memory),
            Err(error) if is_unreachable(&error) => {
                eprintln!("error: {error:#}");
                eprintln!(
                    "stopped: {} of {} files uploaded",
                    uploaded.len(),
                    files.len()
                );
                return Ok(crate::EXIT_FAILED);
            }
            Err(error) => {
                failed += 1;
                let hint = if status_of(&error) == Some(409) {
                    " (--replace overwrites it)"
                } else {
                    ""
                };
                eprintln!("error: {path}: {error:#}{hint}");
            }
        }
    }
    eprintln!(
        "uploaded {} of {} from {} to {store_id}",
        uploaded.len(),
        plural(files.len(), "file"),
        dir.display()
    );
    output.print(&json!({"memory_store_id": store_id, "data": uploaded}));
    Ok(if failed > 0 { crate::EXIT_FAILED } else { 0 })
}

/// "1 file", "2 files".
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

// ---------------------------------------------------------------------------------------------
// memories

/// Memories of a store on a running server. A memory is named by its id or its path.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lucid memories create memstore_… /team/conventions.md --content \"- Cite the statute section.\"
  lucid memories get memstore_… /team/conventions.md
  lucid memories update memstore_… /team/conventions.md --file conventions.md
  lucid memories delete memstore_… /team/old.md")]
pub struct MemoriesArgs {
    #[command(subcommand)]
    command: MemoriesCommand,
    #[command(flatten)]
    connection: Connection,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Subcommand)]
enum MemoriesCommand {
    /// List the memories of a store (paths; --full for content).
    List {
        /// The store id (`memstore_…`).
        store: String,
        /// Only paths under this prefix, e.g. /notes/.
        #[arg(long)]
        prefix: Option<String>,
        /// Levels below the prefix to list; deeper paths are rolled up.
        #[arg(long)]
        depth: Option<u32>,
        /// Include each memory's content (the server then pages at most 20).
        #[arg(long)]
        full: bool,
        /// At most this many (1 to 100).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show a memory with its content.
    Get {
        /// The store id (`memstore_…`).
        store: String,
        /// The memory: its id (`mem_…`) or its path (`/team/conventions.md`).
        memory: String,
    },
    /// Create a memory (never overwrites an existing path).
    Create {
        /// The store id (`memstore_…`).
        store: String,
        /// Path in the store, e.g. /team/conventions.md.
        path: String,
        /// The content (or --file); may start with a dash ("- Cite the statute section.").
        #[arg(long, conflicts_with = "file", allow_hyphen_values = true)]
        content: Option<String>,
        /// Read the content from a file.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Change a memory's content and/or path.
    Update {
        /// The store id (`memstore_…`).
        store: String,
        /// The memory: its id or its path.
        memory: String,
        /// The new content (or --file); may start with a dash.
        #[arg(long, conflicts_with = "file", allow_hyphen_values = true)]
        content: Option<String>,
        /// Read the new content from a file.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Move the memory to this path.
        #[arg(long = "path", value_name = "PATH")]
        new_path: Option<String>,
        /// Only if the current content still has this SHA-256 (else 409): no lost update.
        #[arg(long, value_name = "SHA256")]
        if_sha256: Option<String>,
    },
    /// Delete a memory (its versions stay listed).
    Delete {
        /// The store id (`memstore_…`).
        store: String,
        /// The memory: its id or its path.
        memory: String,
        /// Only if the current content still has this SHA-256 (else 409).
        #[arg(long, value_name = "SHA256")]
        if_sha256: Option<String>,
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
            let id = client.memory_id(&store, &memory)?;
            client.get(&format!("/v1/memory_stores/{store}/memories/{id}"), &[])?
        }
        MemoriesCommand::Create {
            store,
            path,
            content,
            file,
        } => {
            let Some(content) = content_of(content, file)? else {
                bail!("give --content TEXT or --file FILE");
            };
            client.post(
                &format!("/v1/memory_stores/{store}/memories"),
                &json!({"path": path, "content": content}),
            )?
        }
        MemoriesCommand::Update {
            store,
            memory,
            content,
            file,
            new_path,
            if_sha256,
        } => {
            let content = content_of(content, file)?;
            if content.is_none() && new_path.is_none() {
                bail!("give --content TEXT, --file FILE or --path NEW_PATH");
            }
            let id = client.memory_id(&store, &memory)?;
            let mut body = json!({});
            if let Some(content) = content {
                body["content"] = json!(content);
            }
            if let Some(path) = new_path {
                body["path"] = json!(path);
            }
            if let Some(sha) = if_sha256 {
                body["precondition"] = json!({"type": "content_sha256", "content_sha256": sha});
            }
            client.post(&format!("/v1/memory_stores/{store}/memories/{id}"), &body)?
        }
        MemoriesCommand::Delete {
            store,
            memory,
            if_sha256,
        } => {
            let id = client.memory_id(&store, &memory)?;
            let query: Vec<(&str, String)> = if_sha256
                .into_iter()
                .map(|sha| ("expected_content_sha256", sha))
                .collect();
            client.delete(&format!("/v1/memory_stores/{store}/memories/{id}"), &query)?
        }
    };
    args.output.print(&value);
    Ok(0)
}

// ---------------------------------------------------------------------------------------------
// agents

/// Agents on a running server: which memory store each uses, and rolling a promotion back.
/// An agent is named by its id or its name.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lucid agents list
  lucid agents get coder
  lucid agents rollback coder   # back to the store it used before the last promotion")]
pub struct AgentsArgs {
    #[command(subcommand)]
    command: AgentsCommand,
    #[command(flatten)]
    connection: Connection,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Subcommand)]
enum AgentsCommand {
    /// List agents (with the memory store each uses).
    List {
        /// Include archived agents.
        #[arg(long)]
        include_archived: bool,
        /// At most this many (1 to 100).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show an agent.
    Get {
        /// The agent: its id (`agent_…`) or its name.
        agent: String,
    },
    /// Switch an agent back to the memory store it used before the last promotion.
    Rollback {
        /// The agent: its id (`agent_…`) or its name.
        agent: String,
    },
}

pub fn agents(args: AgentsArgs) -> anyhow::Result<u8> {
    let client = Client::new(&args.connection)?;
    let value = match args.command {
        AgentsCommand::List {
            include_archived,
            limit,
        } => client.get(
            "/v1/agents",
            &[
                ("include_archived", include_archived.to_string()),
                ("limit", limit.to_string()),
            ],
        )?,
        AgentsCommand::Get { agent } => {
            let id = client.agent_id(&agent)?;
            client.get(&format!("/v1/agents/{id}"), &[])?
        }
        AgentsCommand::Rollback { agent } => {
            let id = client.agent_id(&agent)?;
            client.post(&format!("/v1/agents/{id}/rollback"), &json!({}))?
        }
    };
    args.output.print(&value);
    Ok(0)
}

// ---------------------------------------------------------------------------------------------
// sessions

/// The trust levels of a session as dream input.
const TRUST_LEVELS: [&str; 4] = ["default", "trusted", "untrusted", "quarantined"];

/// Sessions on a running server.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lucid sessions import ~/.claude/projects/myproj --agent coder --store memstore_…
  lucid sessions list --store memstore_…
  lucid sessions trust sesn_… quarantined")]
pub struct SessionsArgs {
    #[command(subcommand)]
    command: SessionsCommand,
    #[command(flatten)]
    connection: Connection,
    #[command(flatten)]
    output: Output,
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
        /// The sessions' trust as dream input: default (each event by its origin), trusted,
        /// untrusted, or quarantined (never feeds a dream).
        #[arg(long, value_parser = TRUST_LEVELS)]
        trust: Option<String>,
        /// Whose words the user messages are: team (the default for imports) or external (a
        /// customer's: untrusted, scanned for injections, never a memory).
        #[arg(long, value_parser = ["team", "external"])]
        users: Option<String>,
    },
    /// List sessions (newest first).
    List {
        /// Only this agent's sessions (its id).
        #[arg(long)]
        agent: Option<String>,
        /// Only sessions attached to this memory store (its id).
        #[arg(long)]
        store: Option<String>,
        /// Only sessions with this trust (repeatable).
        #[arg(long, value_parser = TRUST_LEVELS)]
        trust: Vec<String>,
        /// At most this many (1 to 100).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show a session.
    Get {
        /// The session id (`sesn_…`).
        id: String,
    },
    /// Set a session's trust as dream input.
    Trust {
        /// The session id (`sesn_…`).
        id: String,
        /// default (each event by its origin), trusted, untrusted, or quarantined (never feeds
        /// a dream).
        #[arg(value_parser = TRUST_LEVELS)]
        level: String,
    },
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
                bail!(
                    "no transcript files found (looked for {})",
                    lucid_fs::TRANSCRIPTS_LOOKED_FOR
                );
            }
            let mut failed = 0;
            let mut imported = 0;
            for file in &files {
                let bytes =
                    std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
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
                    Ok(session) => {
                        imported += 1;
                        if args.output.quiet {
                            println!("{}", session["id"].as_str().unwrap_or("?"));
                        } else {
                            println!(
                                "{}\t{}\t{} events",
                                session["id"].as_str().unwrap_or("?"),
                                file.display(),
                                session["event_count"]
                            );
                        }
                    }
                    // A server that cannot be reached will not be reached for the next file
                    // either: one message, not one per file.
                    Err(error) if is_unreachable(&error) => {
                        eprintln!("error: {error:#}");
                        eprintln!(
                            "stopped: {imported} of {} imported",
                            plural(files.len(), "file")
                        );
                        return Ok(crate::EXIT_FAILED);
                    }
                    Err(error) => {
                        failed += 1;
                        eprintln!("error: {}: {error:#}", file.display());
                    }
                }
            }
            Ok(if failed > 0 { crate::EXIT_FAILED } else { 0 })
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
            args.output.print(&client.get("/v1/sessions", &query)?);
            Ok(0)
        }
        SessionsCommand::Get { id } => {
            args.output
                .print(&client.get(&format!("/v1/sessions/{id}"), &[])?);
            Ok(0)
        }
        SessionsCommand::Trust { id, level } => {
            args.output
                .print(&client.post(&format!("/v1/sessions/{id}"), &json!({"trust": level}))?);
            Ok(0)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// dreams

/// Dreams on a running server.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lucid dreams create --store memstore_… --sessions sesn_1 sesn_2 --watch
  lucid dreams diff drm_…
  lucid dreams promote drm_… --agent coder
  lucid dreams promote drm_… --agent coder --accept-flags   # after reviewing its flags
  lucid dreams promote drm_… --agent coder --reject chg_1a2b3c4d5e6f7a8b   # all but one change
  lucid agents rollback coder                               # undo a promotion")]
pub struct DreamsArgs {
    #[command(subcommand)]
    command: DreamsCommand,
    #[command(flatten)]
    connection: Connection,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Subcommand)]
enum DreamsCommand {
    /// Create a dream over a store and sessions; prints it (pending). --watch follows it.
    Create {
        /// The input memory store.
        #[arg(long)]
        store: String,
        #[arg(long, num_args = 1.., required = true, help = format!(
            "Session ids (1 to {}).",
            lucid_core::MAX_DREAM_SESSIONS
        ))]
        sessions: Vec<String>,
        #[arg(long, allow_hyphen_values = true, help = format!(
            "Steer the dream (1 to {} characters).",
            crate::thousands(lucid_core::instructions::MAX_INSTRUCTIONS_CHARS)
        ))]
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
    Get {
        /// The dream id (`drm_…`).
        id: String,
    },
    /// List dreams (newest first).
    List {
        /// Only these statuses (repeatable).
        #[arg(long, value_parser = ["pending", "running", "completed", "failed", "canceled"])]
        status: Vec<String>,
        /// Include archived dreams.
        #[arg(long)]
        include_archived: bool,
        /// At most this many (1 to 100).
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Cancel a pending or running dream.
    Cancel {
        /// The dream id (`drm_…`).
        id: String,
    },
    /// Print a completed dream's report (JSON).
    Report {
        /// The dream id (`drm_…`).
        id: String,
    },
    /// Print a completed dream's per-document changes as unified diffs (--json: the server's
    /// diff object).
    Diff {
        /// The dream id (`drm_…`).
        id: String,
    },
    /// Switch agents to the dream's output store (atomically; `lucid agents rollback` undoes).
    /// A dream whose report has flags is refused unless --accept-flags.
    Promote {
        /// The dream id (`drm_…`).
        id: String,
        /// An agent, by id or name (repeatable).
        #[arg(long = "agent", required = true)]
        agents: Vec<String>,
        /// Acknowledge the report's flags (refused secrets, instruction-like text, untrusted
        /// memory writes) after reviewing them (`lucid dreams diff` lists them).
        #[arg(long)]
        accept_flags: bool,
        /// Promote only these changes of the report (ids `chg_…`, comma-separated or
        /// repeated): the agents move to a new store built from the input store plus them.
        #[arg(
            long,
            value_name = "ID",
            value_delimiter = ',',
            conflicts_with = "reject"
        )]
        accept: Vec<String>,
        /// Promote every change but these and the changes built on them (listed on stderr).
        #[arg(long, value_name = "ID", value_delimiter = ',')]
        reject: Vec<String>,
    },
    /// Archive a finished dream's output store.
    Discard {
        /// The dream id (`drm_…`).
        id: String,
    },
    /// Stream a dream's narration until it ends; exit 0 if it completed, 1 otherwise.
    Watch {
        /// The dream id (`drm_…`).
        id: String,
    },
}

pub fn dreams(args: DreamsArgs) -> anyhow::Result<u8> {
    let client = Client::new(&args.connection)?;
    let output = &args.output;
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
            output.print(&dream);
            Ok(0)
        }
        DreamsCommand::Get { id } => {
            output.print(&client.get(&format!("/v1/dreams/{id}"), &[])?);
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
            output.print(&client.get("/v1/dreams", &query)?);
            Ok(0)
        }
        DreamsCommand::Cancel { id } => {
            output.print(&client.post(&format!("/v1/dreams/{id}/cancel"), &json!({}))?);
            Ok(0)
        }
        DreamsCommand::Report { id } => {
            output.print(&client.get(&format!("/v1/dreams/{id}/report"), &[])?);
            Ok(0)
        }
        DreamsCommand::Diff { id } => {
            let diff = client.get(&format!("/v1/dreams/{id}/diff"), &[])?;
            if output.json || output.format == Some(Format::Json) {
                print_json(&diff);
                return Ok(0);
            }
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
            Ok(0)
        }
        DreamsCommand::Promote {
            id,
            agents,
            accept_flags,
            accept,
            reject,
        } => {
            let ids = agents
                .iter()
                .map(|agent| client.agent_id(agent))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let mut body = json!({"agent_ids": ids, "accept_flags": accept_flags});
            if !accept.is_empty() {
                body["accept"] = json!(accept);
            } else if !reject.is_empty() {
                body["reject"] = json!(reject);
            }
            let promotion = client.post(&format!("/v1/dreams/{id}/promote"), &body)?;
            let dependents = promotion["review"]["rejected_as_dependents"].as_array();
            for dependent in dependents.into_iter().flatten() {
                eprintln!(
                    "also rejected {}: it builds on {}",
                    dependent["id"].as_str().unwrap_or("?"),
                    dependent["parent"].as_str().unwrap_or("?")
                );
            }
            output.print(&promotion);
            Ok(0)
        }
        DreamsCommand::Discard { id } => {
            output.print(&client.post(&format!("/v1/dreams/{id}/discard"), &json!({}))?);
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
