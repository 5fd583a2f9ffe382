//! What the CLI tests share. One-shot commands: [`lucid`] runs `lucid ARGS` in a folder and
//! [`dream`] builds a `lucid dream` (`dream(dir).example_fleet().out("draft").run()`), each
//! giving a [`Ran`] (exit code, stdout, stderr). Servers, for the multi-node tests
//! (`tests/postgres.rs`, `tests/scale_out.rs`): a real `lucid serve` process on a free loopback
//! port, started and waited for, its log lines kept on request, killed with SIGKILL when dropped.
#![allow(dead_code, reason = "each test file uses part of the harness")]

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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
    pub stdout: String,
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
/// database or provider keys: a test sees only what it passes.
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

/// A new API key of the workspace `team` in `db` (`lucid keys create`): its secret.
pub fn create_key(db: &str) -> String {
    let created = lucid(
        &std::env::temp_dir(),
        &["keys", "create", "--workspace", "team", "--db", db],
    );
    assert_eq!(created.code, Some(0), "{created:?}");
    created.stdout.trim().to_string()
}

/// A `lucid serve` process; killed (SIGKILL) when dropped.
pub struct Node {
    child: Child,
    /// Its API's URL (`None` for a worker without a listener).
    pub url: Option<String>,
    /// The lines it logged that contain the `capture` text (see [`Serve::capture`]).
    pub captured: Arc<Mutex<Vec<String>>>,
}

/// How to start a node: `serve(db, config, role)`, then options, then [`Serve::start`].
pub struct Serve {
    command: Command,
    capture: &'static str,
}

/// `lucid serve --role ROLE --db DB --config CONFIG` on 127.0.0.1, one worker, logging warnings.
pub fn serve(db: &str, config: &Path, role: &str) -> Serve {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lucid"));
    command
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--role",
            role,
            "--db",
            db,
            "--config",
        ])
        .arg(config)
        .env("LUCID_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    Serve {
        command,
        capture: "",
    }
}

impl Serve {
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

    /// Starts the node and waits until it says it is ready (at most 30 s).
    pub fn start(mut self) -> Node {
        let mut child = self.command.spawn().expect("start lucid serve");
        let stderr = child.stderr.take().expect("stderr");
        let captured: Arc<Mutex<Vec<String>>> = Arc::default();
        let (ready, started) = mpsc::channel();
        let (kept, capture) = (captured.clone(), self.capture);
        std::thread::spawn(move || {
            let mut ready = Some(ready);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let url = line
                    .strip_prefix("listening on ")
                    .map(|u| u.trim().to_string());
                if (url.is_some() || line.starts_with("worker running on "))
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
        }
    }
}

impl Node {
    /// The API's URL (panics for a worker without a listener).
    pub fn url(&self) -> String {
        self.url.clone().expect("the node listens")
    }

    /// SIGKILL, and wait for it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, and the exit status once it has stopped (at most 30 s).
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the node did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
