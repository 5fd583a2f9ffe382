//! Issue 11, "small things a user trips over": read-only commands that created a database, a
//! scan of nothing that passed, a command missing its data that exited 0, a summary that only
//! counted its flags, `--version` without the commit, completions, man page, config discovery.

mod support;

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use support::{Ran, lucid as run_lucid, lucid_with, repo};

/// `lucid ARGS` in `dir` (see [`support::lucid`]: `dir` is also its home, no caller config).
fn lucid(args: &[&str], dir: &Path) -> Ran {
    run_lucid(dir, args)
}

/// `lucid keys list` outside the project folder silently created an empty `lucid.db`.
#[test]
fn read_only_key_commands_never_create_a_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    for args in [
        &["keys", "list"][..],
        &["keys", "revoke", "apikey_nope"],
        &["keys", "list", "--db", "elsewhere.db"],
    ] {
        let output = lucid(args, dir.path());
        assert_eq!(output.code, Some(2), "{args:?}: {}", output.stderr);
        assert!(
            output.stderr.contains("there is no database at"),
            "{args:?}: {}",
            output.stderr
        );
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "files created: {left:?}");

    // `create` still makes the database, and `list` then reads it.
    let created = lucid(&["keys", "create", "--workspace", "team"], dir.path());
    assert_eq!(created.code, Some(0), "{}", created.stderr);
    let listed = lucid(&["keys", "list"], dir.path());
    assert_eq!(listed.code, Some(0), "{}", listed.stderr);
    assert!(listed.stdout.contains("\tteam\t"), "{}", listed.stdout);
}

/// `lucid scan` of nothing exited 0: a gate that scanned nothing must not pass.
#[test]
fn a_scan_that_scanned_nothing_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("empty")).expect("mkdir");
    let empty = lucid(&["scan", "empty"], dir.path());
    assert_eq!(empty.code, Some(2), "{}", empty.stderr);
    assert!(
        empty
            .stderr
            .contains("nothing was scanned: no transcript files found"),
        "{}",
        empty.stderr
    );
    std::fs::write(dir.path().join("junk.jsonl"), "not a transcript\n").expect("write");
    let junk = lucid(&["scan", "junk.jsonl"], dir.path());
    assert_eq!(junk.code, Some(2), "{}", junk.stderr);
    assert!(
        junk.stderr.contains("none of the 1 file could be read"),
        "{}",
        junk.stderr
    );
    // A real transcript still scans (and the summary counts in the singular).
    let one = repo().join("examples/fleet/sessions/coder/fix-login.jsonl");
    let scanned = lucid(&["scan", &one.display().to_string()], dir.path());
    assert!(matches!(scanned.code, Some(0 | 1)), "{}", scanned.stderr);
    assert!(
        scanned.stdout.contains("scanned 1 file (1 session,"),
        "{}",
        scanned.stdout
    );
}

/// The summary printed only the number of flags, and "dreamed 1 sessions".
#[test]
fn the_dream_summary_names_what_was_flagged_and_counts_in_the_singular() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fleet = repo().join("examples/fleet");
    let dream = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "dream".to_string(),
            "--store".into(),
            fleet.join("memory").display().to_string(),
            "--sessions".into(),
            fleet.join("sessions").display().to_string(),
            "--out".into(),
            out.into(),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        lucid(&args, dir.path())
    };
    let output = dream("draft", &[]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    let json = dream("draft2", &["--json"]);
    let report = json.json();
    let flags: Vec<&serde_json::Value> = report["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["op"] == "flag")
        .collect();
    assert!(!flags.is_empty(), "the example fleet holds an injection");
    let summary = output.stdout;
    assert!(
        summary.contains(&format!(
            "flagged ({} item{}, left out of the draft):",
            flags.len(),
            if flags.len() == 1 { "" } else { "s" }
        )),
        "{summary}"
    );
    for flag in flags {
        let reason = flag["reason"].as_str().expect("reason");
        assert!(summary.contains(reason), "{reason} not in:\n{summary}");
    }

    let one = lucid(
        &[
            "dream",
            "--sessions",
            &fleet
                .join("sessions/coder/fix-login.jsonl")
                .display()
                .to_string(),
            "--out",
            "one",
        ],
        dir.path(),
    );
    assert_eq!(one.code, Some(0), "{}", one.stderr);
    assert!(one.stderr.contains("dreamed 1 session ("), "{}", one.stderr);
}

/// `--version` prints the commit the binary was built from.
#[test]
fn version_names_the_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = lucid(&["--version"], dir.path());
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    let text = output.stdout;
    let commit = text
        .split("(commit ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no commit in {text:?}"));
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(repo())
            .output()
            .ok()
            .filter(|o| o.status.success())
    };
    if git(&["rev-parse", "HEAD"]).is_some() {
        // Other commits may land between the build and this test: the built one is HEAD or an
        // ancestor of it, never something else.
        assert_eq!(commit.len(), 12, "{text}");
        assert!(
            git(&["merge-base", "--is-ancestor", commit, "HEAD"]).is_some(),
            "{commit} is not HEAD or an ancestor of it"
        );
    } else {
        assert_eq!(commit, "unknown", "{text}");
    }
}

/// Shell completions and a man page, generated from the command tree.
#[test]
fn completions_and_man_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bash = lucid(&["completions", "bash"], dir.path());
    assert_eq!(bash.code, Some(0), "{}", bash.stderr);
    let script = bash.stdout;
    assert!(script.contains("_lucid()"), "{script}");
    assert!(script.contains("rollback") && script.contains("upload"));
    let zsh = lucid(&["completions", "zsh"], dir.path());
    assert!(zsh.stdout.starts_with("#compdef lucid"));
    assert_eq!(lucid(&["completions", "tcsh"], dir.path()).code, Some(2));

    let man = lucid(&["man"], dir.path());
    assert_eq!(man.code, Some(0), "{}", man.stderr);
    let page = man.stdout;
    assert!(page.contains(".TH lucid 1"), "{page}");
    assert!(page.contains("memories"), "{page}");
    let pages = lucid(&["man", "--dir", "man1"], dir.path());
    assert_eq!(pages.code, Some(0), "{}", pages.stderr);
    for name in ["lucid.1", "lucid-dream.1", "lucid-memories-get.1"] {
        let text = std::fs::read_to_string(dir.path().join("man1").join(name))
            .unwrap_or_else(|_| panic!("{name} written"));
        assert!(text.contains(".TH"), "{name}");
    }
}

/// Config discovery: `./lucid.toml`, then `$XDG_CONFIG_HOME/lucid/lucid.toml`, then
/// `~/.config/lucid/lucid.toml`; `--config` wins over all.
#[test]
fn the_config_file_is_discovered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let transcript = dir.path().join("t.jsonl");
    // A Claude Code transcript whose user message holds a team-specific secret form.
    std::fs::write(
        &transcript,
        concat!(
            r#"{"type":"user","uuid":"u1","sessionId":"s1","timestamp":"2026-01-01T00:00:00Z","message":{"role":"user","content":"the badge is ACME-123456 today"}}"#,
            "\n"
        ),
    )
    .expect("write");
    let pattern = "[safety]\nsecret_patterns = [\"ACME-[0-9]{6}\"]\n";
    // The harness makes the folder it runs in the home: `plain` and `project` hold no `.config`,
    // so a case finds only the config file it puts in place or names.
    let scan = |cwd: &Path, envs: &[(&str, &Path)], args: &[&str]| {
        let mut argv: Vec<OsString> =
            vec!["scan".into(), "--json".into(), transcript.clone().into()];
        argv.extend(args.iter().map(OsString::from));
        let envs: Vec<(OsString, OsString)> = envs
            .iter()
            .map(|(name, value)| (name.into(), value.into()))
            .collect();
        let output = lucid_with(cwd, &argv, &envs);
        let report = output.json();
        (report["secrets"].as_u64().unwrap_or(0), output.stderr)
    };
    let plain = dir.path().join("plain");
    std::fs::create_dir_all(&plain).expect("mkdir");
    assert_eq!(scan(&plain, &[], &[]).0, 0, "no config, no custom pattern");

    let project = dir.path().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(project.join("lucid.toml"), pattern).expect("write");
    let (found, note) = scan(&project, &[], &[]);
    assert_eq!(found, 1, "./lucid.toml is read");
    assert!(note.contains("config: lucid.toml"), "{note}");

    let xdg = dir.path().join("xdg");
    std::fs::create_dir_all(xdg.join("lucid")).expect("mkdir");
    std::fs::write(xdg.join("lucid/lucid.toml"), pattern).expect("write");
    assert_eq!(
        scan(&plain, &[("XDG_CONFIG_HOME", &xdg)], &[]).0,
        1,
        "$XDG_CONFIG_HOME/lucid/lucid.toml is read"
    );

    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".config/lucid")).expect("mkdir");
    std::fs::write(home.join(".config/lucid/lucid.toml"), pattern).expect("write");
    assert_eq!(
        scan(&plain, &[("HOME", &home)], &[]).0,
        1,
        "~/.config/lucid/lucid.toml is read"
    );

    // An explicit --config wins: an empty file means no custom pattern.
    std::fs::write(dir.path().join("empty.toml"), "").expect("write");
    let empty = dir.path().join("empty.toml").display().to_string();
    assert_eq!(scan(&project, &[], &["--config", &empty]).0, 0);

    let help = lucid(&["--help"], dir.path());
    assert!(
        help.stdout.contains("$XDG_CONFIG_HOME/lucid/lucid.toml"),
        "{}",
        help.stdout
    );
}

/// Issue 12 §1: the binary users install lists only what a user runs; evaluation and
/// benchmarks are in `lucid-dev`, and the product does not accept them.
#[test]
fn the_help_lists_only_product_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let help = lucid(&["--help"], dir.path()).stdout;
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        // A command's line starts two spaces in; wrapped descriptions are indented further.
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(
        commands,
        [
            "dream",
            "claude-code",
            "apply",
            "scan",
            "serve",
            "keys",
            "db",
            "stores",
            "memories",
            "agents",
            "sessions",
            "dreams",
            "mcp",
            "search",
            "completions",
            "man",
            "help"
        ],
        "{help}"
    );
    for developer_only in [
        "eval",
        "bench",
        "bench-tokens",
        "bench-serve",
        "bench-search",
    ] {
        let output = lucid(&[developer_only, "--help"], dir.path());
        assert_eq!(output.code, Some(2), "lucid {developer_only}");
    }
}

/// Issue 12 §2: each limit is defined once and the help text is built from it, so `--help`
/// says what is enforced.
#[test]
fn the_help_states_the_limits_that_are_enforced() {
    let dir = tempfile::tempdir().expect("tempdir");
    for command in [
        &["dream", "--help"][..],
        &["claude-code", "dream", "--help"][..],
    ] {
        let help = lucid(command, dir.path()).stdout;
        assert!(help.contains("at most 4,096 characters"), "{help}");
        assert!(help.contains("[default: 100]"), "{help}");
    }
    let help = lucid(&["dreams", "create", "--help"], dir.path()).stdout;
    assert!(help.contains("Session ids (1 to 100)"), "{help}");
    assert!(
        help.contains("Steer the dream (1 to 4,096 characters)"),
        "{help}"
    );
}

/// Issue 12 §2: one config type reads the whole file, so a misspelt section or key is refused
/// by every command that reads it (a misspelt `[saftey]` was silently ignored), naming the
/// closest valid name.
#[test]
fn a_misspelt_config_section_or_key_is_refused_with_the_closest_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fleet = repo().join("examples/fleet");
    let session = fleet
        .join("sessions/coder/fix-login.jsonl")
        .display()
        .to_string();
    let config = dir.path().join("lucid.toml");
    let config_arg = config.display().to_string();

    std::fs::write(&config, "[saftey]\nsecret_patterns = [\"ACME-[0-9]{6}\"]\n").expect("write");
    let scanned = lucid(&["scan", "--config", &config_arg, &session], dir.path());
    assert_eq!(scanned.code, Some(2), "{}", scanned.stderr);
    assert!(
        scanned
            .stderr
            .contains("line 1: unknown section [saftey]; did you mean [safety]?"),
        "{}",
        scanned.stderr
    );

    std::fs::write(&config, "[llm]\nconcurency = 2\n").expect("write");
    let out = dir.path().join("draft").display().to_string();
    let dreamed = lucid(
        &[
            "dream",
            "--config",
            &config_arg,
            "--store",
            &fleet.join("memory").display().to_string(),
            "--sessions",
            &session,
            "--out",
            &out,
        ],
        dir.path(),
    );
    assert_eq!(dreamed.code, Some(2), "{}", dreamed.stderr);
    assert!(
        dreamed
            .stderr
            .contains("line 2: unknown key \"concurency\" in [llm]; did you mean \"concurrency\"?"),
        "{}",
        dreamed.stderr
    );
    assert!(
        !dir.path().join("draft").exists(),
        "a refused dream writes nothing"
    );
}
