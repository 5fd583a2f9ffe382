//! What the multi-node tests share (`tests/postgres.rs`, `tests/scale_out.rs`): a real
//! `lucid serve` process on a free loopback port, started and waited for, its log lines kept on
//! request, killed with SIGKILL when dropped.
#![allow(dead_code, reason = "each test file uses part of the harness")]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

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
