//! What the CLI tests share. One-shot commands: [`lucid`] runs `lucid ARGS` in a folder and
//! [`dream`] builds a `lucid dream` (`dream(dir).example_fleet().out("draft").run()`), each
//! giving a [`Ran`] (exit code, stdout, stderr). Servers: [`serve`] (a node of a multi-node
//! setup, `tests/postgres.rs`, `tests/scale_out.rs`) or [`serve_db`] (a plain `lucid serve`),
//! a real process on a free loopback port, started and waited for, its log lines kept on
//! request, signalled or killed by the test and killed with SIGKILL when dropped. Python clients
//! (the official SDKs, the browser test): [`sdk_python`] finds a python that has the SDK and
//! [`python_test`] runs a script and checks it passed.
#![allow(dead_code, reason = "each test file uses part of the harness")]

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What a one-shot `lucid` command did.
#[derive(Debug)]
pub struct Ran {
    /// The exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// What it printed on standard output.
    pub stdout: String,
    /// What it printed on standard error.
    pub stderr: String,
}

impl Ran {
    /// Whether the command exited 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// Both streams, for an assertion's message or a search through everything it printed.
    pub fn text(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Stdout as JSON (panics with both streams when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout is not JSON ({error}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// `lucid ARGS`, run in `dir` with `dir` as its home, without the caller's config file,
/// database, provider keys or server (`LUCID_URL`, `LUCID_API_KEY`): a test sees only what it
/// passes.
pub fn lucid<S: AsRef<std::ffi::OsStr>>(dir: &Path, args: &[S]) -> Ran {
    lucid_with(dir, args, &[])
}

/// [`lucid`] with environment variables of the test's own.
pub fn lucid_with<S: AsRef<std::ffi::OsStr>>(
    dir: &Path,
    args: &[S],
    envs: &[(OsString, OsString)],
) -> Ran {
    lucid_piped(dir, args, envs, None)
}

/// [`lucid_with`], writing `stdin` (when given) to the command's standard input, as a hook
/// runner or a pipe does; without it, standard input is empty.
pub fn lucid_piped<S: AsRef<std::ffi::OsStr>>(
    dir: &Path,
    args: &[S],
    envs: &[(OsString, OsString)],
    stdin: Option<&str>,
) -> Ran {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lucid"));
    command.current_dir(dir).args(args).env("HOME", dir);
    for name in [
        "LUCID_CONFIG",
        "LUCID_DB",
        "XDG_CONFIG_HOME",
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_BASE_URL",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "LUCID_URL",
        "LUCID_API_KEY",
    ] {
        command.env_remove(name);
    }
    command.envs(envs.iter().map(|(name, value)| (name, value)));
    command
        .stdin(if stdin.is_some() {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        })
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("run lucid");
    if let Some(text) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    let output = child.wait_with_output().expect("lucid finishes");
    Ran {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A `lucid dream` to run in a folder: `dream(dir)`, what to dream over and where to write,
/// then [`Dream::run`]. Relative paths are the folder's.
pub struct Dream {
    dir: PathBuf,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
}

/// `lucid dream`, run in `dir`.
pub fn dream(dir: &Path) -> Dream {
    Dream {
        dir: dir.to_path_buf(),
        args: vec!["dream".into()],
        envs: Vec::new(),
    }
}

impl Dream {
    fn pair(mut self, flag: &str, value: impl Into<OsString>) -> Self {
        self.args.push(flag.into());
        self.args.push(value.into());
        self
    }

    /// `--store PATH`
    pub fn store(self, path: impl Into<OsString>) -> Self {
        self.pair("--store", path)
    }

    /// `--sessions PATH`
    pub fn sessions(self, path: impl Into<OsString>) -> Self {
        self.pair("--sessions", path)
    }

    /// The example fleet of the README's first command: its store and its sessions.
    pub fn example_fleet(self) -> Self {
        let fleet = repo().join("examples/fleet");
        self.store(fleet.join("memory"))
            .sessions(fleet.join("sessions"))
    }

    /// The example fleet's sessions only.
    pub fn example_sessions(self) -> Self {
        self.sessions(repo().join("examples/fleet/sessions"))
    }

    /// `--out PATH`
    pub fn out(self, path: impl Into<OsString>) -> Self {
        self.pair("--out", path)
    }

    /// `--report PATH`
    pub fn report(self, path: impl Into<OsString>) -> Self {
        self.pair("--report", path)
    }

    /// `--instructions TEXT`
    pub fn instructions(self, text: impl Into<OsString>) -> Self {
        self.pair("--instructions", text)
    }

    /// `--config PATH`
    pub fn config(self, path: impl Into<OsString>) -> Self {
        self.pair("--config", path)
    }

    /// Any other arguments, as given.
    pub fn args<S: Into<OsString>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// An environment variable for this run (after the harness has cleared the caller's).
    pub fn env(mut self, name: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.envs.push((name.into(), value.into()));
        self
    }

    /// Runs it.
    pub fn run(self) -> Ran {
        lucid_with(&self.dir, &self.args, &self.envs)
    }
}

/// A new, empty database on the test PostgreSQL server, or `None` — after a `SKIPPED (not CI)`
/// line — where no server is configured; under CI a missing server fails the test instead.
pub fn postgres_database() -> Option<lucid_storage_postgres::testing::TestDatabase> {
    if let Some(reason) = lucid_storage_postgres::testing::unavailable() {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "SKIPPED (not CI): {reason}");
        return None;
    }
    Some(lucid_storage_postgres::testing::TestDatabase::create().expect("test server"))
}

/// `lucid serve` on 127.0.0.1 run to completion, for a server that must refuse to start (a bad
/// config, a database another server holds): its exit code and output.
pub fn serve_refusal(dir: &Path, db: &Path, config: Option<&Path>) -> Ran {
    let mut args: Vec<String> = ["serve", "--addr", "127.0.0.1:0", "--db"]
        .map(String::from)
        .to_vec();
    args.push(db.display().to_string());
    if let Some(config) = config {
        args.push("--config".to_string());
        args.push(config.display().to_string());
    }
    lucid(dir, &args)
}

/// A new API key of the workspace `team` in `db` (`lucid keys create`): its secret.
pub fn create_key(db: impl AsRef<OsStr>) -> String {
    create_key_in(db, "team")
}

/// A new API key of `workspace` in `db` (a SQLite file or a PostgreSQL URL): its secret,
/// checked to look like one (`sk-lucid-…`).
pub fn create_key_in(db: impl AsRef<OsStr>, workspace: &str) -> String {
    let args = [
        OsStr::new("keys"),
        OsStr::new("create"),
        OsStr::new("--workspace"),
        OsStr::new(workspace),
        OsStr::new("--db"),
        db.as_ref(),
    ];
    let created = lucid(&std::env::temp_dir(), &args);
    assert_eq!(created.code, Some(0), "{created:?}");
    let key = created.stdout.trim().to_string();
    assert!(key.starts_with("sk-lucid-"), "{key}");
    key
}

/// A `lucid serve` process; killed (SIGKILL) when dropped.
pub struct Node {
    child: Child,
    /// Its API's URL (`None` for a worker without a listener).
    pub url: Option<String>,
    /// The lines it logged that contain the `capture` text (see [`Serve::capture`]).
    pub captured: Arc<Mutex<Vec<String>>>,
    /// Every line it logged, when asked for (see [`Serve::keep_log`]).
    log: Arc<Mutex<Vec<String>>>,
}

/// How to start a node: `serve(db, config, role)` or [`serve_db`] (or [`serve_from_env`]), then
/// options, then [`Serve::start`].
pub struct Serve {
    command: Command,
    /// `--addr`, added by [`Serve::start`] so that [`Serve::addr`] replaces it rather than
    /// repeating the flag; `None` leaves the address to `LUCID_ADDR`.
    addr: Option<OsString>,
    capture: &'static str,
    keep_log: bool,
}

/// `lucid serve`, logging warnings, its stderr read by [`Serve::start`].
fn serve_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lucid"));
    command
        .arg("serve")
        .env("LUCID_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// `lucid serve --role ROLE --db DB --config CONFIG` on 127.0.0.1, one worker, logging warnings.
pub fn serve(db: &str, config: &Path, role: &str) -> Serve {
    serve_db(db).role(role).config(config)
}

/// `lucid serve --db DB` (a SQLite file or a PostgreSQL URL) on a free port of 127.0.0.1,
/// logging warnings, with the binary's defaults otherwise (every role, no config file named).
pub fn serve_db(db: impl AsRef<OsStr>) -> Serve {
    let mut command = serve_command();
    command.arg("--db").arg(db.as_ref());
    Serve {
        command,
        addr: Some("127.0.0.1:0".into()),
        capture: "",
        keep_log: false,
    }
}

/// `lucid serve` without flags, as a deployment starts it: the address (a free port of
/// 127.0.0.1) and the database `db` from `LUCID_ADDR` and `LUCID_DB`.
pub fn serve_from_env(db: impl AsRef<OsStr>) -> Serve {
    let mut command = serve_command();
    command
        .env("LUCID_ADDR", "127.0.0.1:0")
        .env("LUCID_DB", db.as_ref());
    Serve {
        command,
        addr: None,
        capture: "",
        keep_log: false,
    }
}

impl Serve {
    /// The node's role (`--role`: `api`, `worker` or `all`).
    pub fn role(mut self, role: &str) -> Self {
        self.command.args(["--role", role]);
        self
    }

    /// The config file (`--config PATH`).
    pub fn config(mut self, path: impl AsRef<OsStr>) -> Self {
        self.command.arg("--config").arg(path.as_ref());
        self
    }

    /// The address to listen on (`--addr`; a free port of 127.0.0.1 unless set).
    pub fn addr(mut self, addr: &str) -> Self {
        self.addr = Some(addr.into());
        self
    }

    /// Another argument, as given (`--take-over`, `--open`).
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    /// An environment variable of the node's.
    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.command.env(name, value);
        self
    }

    /// Unsets an environment variable, the caller's or the harness's (`LUCID_LOG`, for the
    /// binary's default log level).
    pub fn env_remove(mut self, name: impl AsRef<OsStr>) -> Self {
        self.command.env_remove(name);
        self
    }

    /// Dream workers in this node (`--workers`; 1 unless set).
    pub fn workers(mut self, workers: u8) -> Self {
        self.command.args(["--workers", &workers.to_string()]);
        self
    }

    /// Each stage of a dream lasts this long (so a dream is still running when a test acts).
    pub fn stage_delay_ms(mut self, ms: u64) -> Self {
        self.command.env("LUCID_STAGE_DELAY_MS", ms.to_string());
        self
    }

    /// The log level (`--log`).
    pub fn log(mut self, level: &str) -> Self {
        self.command.args(["--log", level]);
        self
    }

    /// Keeps the log lines that contain `text` in [`Node::captured`].
    pub fn capture(mut self, text: &'static str) -> Self {
        self.capture = text;
        self
    }

    /// Keeps every line the node logs, its ready line included, for [`Node::lines`].
    pub fn keep_log(mut self) -> Self {
        self.keep_log = true;
        self
    }

    /// Starts the node and waits until it says it is ready (at most 30 s).
    pub fn start(mut self) -> Node {
        if let Some(addr) = &self.addr {
            self.command.arg("--addr").arg(addr);
        }
        let mut child = self.command.spawn().expect("start lucid serve");
        let stderr = child.stderr.take().expect("stderr");
        let captured: Arc<Mutex<Vec<String>>> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (ready, started) = mpsc::channel();
        let (kept, capture) = (captured.clone(), self.capture);
        let every = self.keep_log.then(|| log.clone());
        // Keeps draining stderr after the ready line, so the node never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut ready = Some(ready);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // Kept before the ready line is announced: once `start` returns, every line
                // up to it is in the log.
                if let Some(every) = &every {
                    every.lock().expect("log lines").push(line.clone());
                }
                let url = line
                    .strip_prefix("listening on ")
                    .map(|u| u.trim().to_string());
                if is_ready_line(&line)
                    && let Some(ready) = ready.take()
                {
                    let _ = ready.send(url);
                } else if !capture.is_empty() && line.contains(capture) {
                    kept.lock().expect("log lines").push(line);
                } else if std::env::var_os("LUCID_TEST_LOG").is_some() {
                    eprintln!("node: {line}");
                }
            }
        });
        let url = started
            .recv_timeout(Duration::from_secs(30))
            .expect("the node says it is ready");
        Node {
            child,
            url,
            captured,
            log,
        }
    }
}

/// Whether a node's log line says it is ready: its API listens, or its worker runs.
fn is_ready_line(line: &str) -> bool {
    line.starts_with("listening on ") || line.starts_with("worker running on ")
}

impl Node {
    /// The API's URL (panics for a worker without a listener).
    pub fn url(&self) -> String {
        self.url.clone().expect("the node listens")
    }

    /// The API's address, `HOST:PORT`, for a raw TCP connection.
    pub fn addr(&self) -> String {
        self.url().trim_start_matches("http://").to_string()
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Every line it has logged so far (empty unless started with [`Serve::keep_log`]).
    pub fn lines(&self) -> Vec<String> {
        self.log.lock().expect("log lines").clone()
    }

    /// The lines it logged before saying it was ready: what it says at start (needs
    /// [`Serve::keep_log`]).
    pub fn lines_before_ready(&self) -> Vec<String> {
        self.lines()
            .into_iter()
            .take_while(|l| !is_ready_line(l))
            .collect()
    }

    /// The first line it logs that `pred` accepts (at most 20 s; needs [`Serve::keep_log`]);
    /// `what` names it in the failure.
    pub fn wait_for_line(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(line) = self.lines().into_iter().find(|l| pred(l)) {
                return line;
            }
            assert!(
                Instant::now() < deadline,
                "no log line {what}: {:#?}",
                self.lines()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends the signal `name` (`TERM`, `INT`) without waiting.
    pub fn signal(&self, name: &str) {
        let pid = self.pid().to_string();
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -{name} {pid}");
    }

    /// Waits up to `limit` for it to exit: its status and how long that took, or `None`.
    pub fn exit_within(&mut self, limit: Duration) -> Option<(ExitStatus, Duration)> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return Some((status, started.elapsed()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// SIGKILL, and wait for it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, and the exit status once it has stopped (at most 30 s).
    pub fn terminate(mut self) -> ExitStatus {
        self.signal("TERM");
        let (status, _) = self
            .exit_within(Duration::from_secs(30))
            .expect("the node did not stop");
        status
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The python that runs the tests' Python clients: `LUCID_PYTHON`, else `python3`.
pub fn python() -> String {
    std::env::var("LUCID_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// The python that can run `probe` (`import mcp.client.stdio`), for a test of the `sdk` Python
/// SDK (`pip install PACKAGE`); `None`, after a `SKIPPED (not CI)` line, when it cannot. With
/// `LUCID_REQUIRE_SDK=1` or `CI` set that is a failure instead: a CI run must not pass by
/// skipping.
pub fn sdk_python(sdk: &str, probe: &str, package: &str) -> Option<String> {
    let python = python();
    let required = std::env::var("LUCID_REQUIRE_SDK").is_ok_and(|v| v == "1")
        || std::env::var_os("CI").is_some();
    let found = Command::new(&python).args(["-c", probe]).output();
    if found.is_ok_and(|o| o.status.success()) {
        return Some(python);
    }
    assert!(
        !required,
        "LUCID_REQUIRE_SDK=1 or CI is set, but `{python} -c '{probe}'` fails (python3 -m venv \
         .venv && .venv/bin/pip install {package}, then LUCID_PYTHON=.venv/bin/python; .ci/run \
         does it)"
    );
    // Past the harness's capture, so the skip shows in a plain `cargo test`.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED (not CI): the {sdk} Python SDK is not installed for {python} (set LUCID_PYTHON \
         to a python that has it: pip install {package})"
    );
    None
}

/// `PYTHON SCRIPT ARGS` (SCRIPT a path in the repository) with `envs` added to the caller's,
/// asserted to exit 0 having printed `ok` (the script's last word when all its checks passed);
/// what it did.
pub fn python_test(
    python: &str,
    script: &str,
    args: &[&str],
    envs: &[(OsString, OsString)],
    ok: &str,
) -> Ran {
    let output = Command::new(python)
        .arg(repo().join(script))
        .args(args)
        .envs(envs.iter().map(|(name, value)| (name, value)))
        .output()
        .expect("run python");
    let ran = Ran {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        ran.success() && ran.stdout.contains(ok),
        "{script} {args:?} failed:\n{}\n{}",
        ran.stdout,
        ran.stderr
    );
    ran
}
