//! The review page end to end in a real browser: `tests/browser/test_review_page.py` drives
//! Debian's chromium through chromedriver (the `selenium` Python package) against a real
//! `lucid serve` on 127.0.0.1 — sign in, start and watch a dream, reject a merge and a
//! supersede, acknowledge the flags, promote, and check the agent's store through the API.
//! Screenshots land in `target/screenshots/`.
//!
//! Skipped with a message when chromium, chromedriver or selenium is missing, unless `CI` or
//! `LUCID_REQUIRE_BROWSER=1` is set (`.ci/run` installs them), where that is a failure.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What is missing to run a browser, if anything.
fn missing_browser(python: &str) -> Option<String> {
    let chromium = std::env::var("LUCID_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let driver =
        std::env::var("LUCID_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    for binary in [&chromium, &driver] {
        if !Path::new(binary).exists() {
            return Some(format!(
                "{binary} is absent (apt-get install chromium chromium-driver)"
            ));
        }
    }
    let selenium = Command::new(python)
        .args(["-c", "import selenium"])
        .output();
    match selenium {
        Ok(output) if output.status.success() => None,
        _ => Some(format!(
            "the selenium package is not installed for {python} (pip install selenium; set \
             LUCID_PYTHON)"
        )),
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_reviewer_promotes_exactly_the_changes_they_accepted_in_the_browser() {
    let python = std::env::var("LUCID_PYTHON").unwrap_or_else(|_| "python3".into());
    let required = std::env::var_os("CI").is_some()
        || std::env::var("LUCID_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    if let Some(missing) = missing_browser(&python) {
        assert!(
            !required,
            "CI or LUCID_REQUIRE_BROWSER=1 is set, but {missing}"
        );
        // Past the harness's capture, so the skip shows in a plain `cargo test`.
        let _ = writeln!(std::io::stderr(), "SKIPPED (not CI): {missing}");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lucid.db");
    let lucid = env!("CARGO_BIN_EXE_lucid");
    let create_key = |workspace: &str| {
        let created = Command::new(lucid)
            .args(["keys", "create", "--workspace", workspace, "--db"])
            .arg(&db)
            .output()
            .expect("keys create");
        assert!(created.status.success(), "{created:?}");
        String::from_utf8_lossy(&created.stdout).trim().to_string()
    };
    let key = create_key("review");
    // Another workspace's store must stay invisible to the page.
    let other_key = create_key("elsewhere");
    let mut child = Command::new(lucid)
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db)
        .env("LUCID_LOG", "warn")
        // Slow stages, so the running dream's narration is seen streaming.
        .env("LUCID_STAGE_DELAY_MS", "700")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lucid serve");
    let stderr = child.stderr.take().expect("stderr");
    let server = Server(child);
    let (found, address) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut found = Some(found);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("listening on ") {
                if let Some(found) = found.take() {
                    let _ = found.send(url.trim().to_string());
                }
            } else if std::env::var_os("LUCID_TEST_LOG").is_some() {
                eprintln!("server: {line}");
            }
        }
    });
    let url = address
        .recv_timeout(Duration::from_secs(30))
        .expect("the server prints its address");
    let target_tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let screenshots = target_tmp
        .parent()
        .unwrap_or(target_tmp)
        .join("screenshots");
    let output = Command::new(&python)
        .arg(repo().join("tests/browser/test_review_page.py"))
        .env("LUCID_URL", &url)
        .env("LUCID_API_KEY", &key)
        .env("LUCID_OTHER_KEY", &other_key)
        .env("LUCID_FIXTURES", repo().join("tests/data/fleets"))
        .env("LUCID_SCREENSHOTS", &screenshots)
        .output()
        .expect("run python");
    drop(server);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let _ = writeln!(std::io::stderr(), "{stdout}");
    assert!(
        output.status.success() && stdout.contains("BROWSER OK"),
        "the browser test failed:\n{stdout}\n{stderr}"
    );
}
