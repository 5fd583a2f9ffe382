//! The review page end to end in a real browser: `tests/browser/test_review_page.py` drives
//! Debian's chromium through chromedriver (the `selenium` Python package) against a real
//! `lucid serve` on 127.0.0.1 — sign in, start and watch a dream, reject a merge and a
//! supersede, acknowledge the flags, promote, and check the agent's store through the API.
//! Screenshots land in `target/screenshots/`.
//!
//! Skipped with a message when chromium, chromedriver or selenium is missing, unless `CI` or
//! `LUCID_REQUIRE_BROWSER=1` is set (`.ci/run` installs them), where that is a failure.

mod support;

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::Command;

use support::{create_key_in, repo};

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

#[test]
fn a_reviewer_promotes_exactly_the_changes_they_accepted_in_the_browser() {
    let python = support::python();
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
    let key = create_key_in(&db, "review");
    // Another workspace's store must stay invisible to the page.
    let other_key = create_key_in(&db, "elsewhere");
    let server = support::serve_db(&db)
        // Slow stages, so the running dream's narration is seen streaming.
        .stage_delay_ms(700)
        .start();
    let target_tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let screenshots = target_tmp
        .parent()
        .unwrap_or(target_tmp)
        .join("screenshots");
    let envs: [(OsString, OsString); 5] = [
        ("LUCID_URL".into(), server.url().into()),
        ("LUCID_API_KEY".into(), key.into()),
        ("LUCID_OTHER_KEY".into(), other_key.into()),
        (
            "LUCID_FIXTURES".into(),
            repo().join("tests/data/fleets").into(),
        ),
        ("LUCID_SCREENSHOTS".into(), screenshots.into()),
    ];
    let ran = support::python_test(
        &python,
        "tests/browser/test_review_page.py",
        &[],
        &envs,
        "BROWSER OK",
    );
    drop(server);
    // Past the harness's capture: where the screenshots went and what was checked.
    let _ = writeln!(std::io::stderr(), "{}", ran.stdout);
}
