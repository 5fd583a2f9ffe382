//! `lucid scan`: check transcripts for secrets and injected instructions before dreaming them.

use std::path::PathBuf;

use clap::Args;
use lucid_core::{EventKind, SessionTrust, Trust};
use serde::Serialize;

use crate::client::plural;

/// Scan transcripts for pasted secrets and prompt injections, as a dream would.
///
/// Every event of every transcript (folders are read recursively) is checked: secrets
/// (API keys of common providers, tokens, private keys, passwords in URLs and assignments,
/// high-entropy strings, plus `[safety] secret_patterns` from --config) everywhere, and
/// instruction-like text addressed to the model in untrusted content (tool results, fetched
/// pages, file contents). Trusted text (user messages, the agent's own actions) is only checked
/// for hidden, encoded, exfiltration or override attempts. Findings show redacted excerpts.
///
/// Exit codes: 0 nothing found; 1 findings (so it can gate a pipeline); 2 bad arguments or
/// nothing scanned (no transcript found or none readable).
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Transcript files or folders.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Print findings as JSON.
    #[arg(long)]
    json: bool,

    /// A tool whose results are trusted (repeatable).
    #[arg(long, value_name = "NAME")]
    trust_tool: Vec<String>,

    /// The TOML config file (`[safety] trusted_tools`, `secret_patterns`).
    #[arg(long, value_name = "FILE", env = "LUCID_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct Finding {
    path: String,
    session: String,
    event: usize,
    event_type: &'static str,
    trust: Trust,
    /// `secret` or `injection`.
    category: &'static str,
    /// The secret kind or the injection rule.
    rule: String,
    reason: String,
    excerpt: String,
}

#[derive(Debug, Serialize)]
struct ScanReport {
    files: usize,
    sessions: usize,
    events: usize,
    skipped: Vec<lucid_core::SkippedSession>,
    secrets: usize,
    injections: usize,
    findings: Vec<Finding>,
}

pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let policy = match crate::config::safety_policy(args.config.as_deref(), &args.trust_tool) {
        Ok(policy) => policy,
        Err(error) => {
            eprintln!("error: {error:#}");
            return Ok(crate::EXIT_REFUSED);
        }
    };
    let files = match lucid_fs::find_transcripts(&args.paths) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(crate::EXIT_REFUSED);
        }
    };
    let mut report = ScanReport {
        files: files.len(),
        sessions: 0,
        events: 0,
        skipped: Vec::new(),
        secrets: 0,
        injections: 0,
        findings: Vec::new(),
    };
    for file in &files {
        let shown = file.display().to_string();
        let session = match lucid_fs::load_session(file) {
            Ok(session) => session,
            Err(reason) => {
                report.skipped.push(lucid_core::SkippedSession {
                    path: shown,
                    reason,
                });
                continue;
            }
        };
        report.sessions += 1;
        report.events += session.events.len();
        for event in &session.events {
            let trust = policy.event_trust(event, SessionTrust::Default);
            let text = event.text();
            let finding = |category, rule: String, reason: String, excerpt: String| Finding {
                path: shown.clone(),
                session: session.id.clone(),
                event: event.index,
                event_type: event.kind.type_name(),
                trust,
                category,
                rule,
                reason,
                excerpt,
            };
            let redaction = policy.redact(&text);
            for (n, secret) in redaction.findings.iter().enumerate() {
                let excerpt = excerpt_around_marker(&redaction.text, n);
                report.findings.push(finding(
                    "secret",
                    secret.kind.to_string(),
                    "a secret would be redacted before anything is stored".to_string(),
                    excerpt,
                ));
                report.secrets += 1;
            }
            let injections = match (trust, &event.kind) {
                (Trust::Untrusted, _) => lucid_safety::scan_injection(&text),
                (Trust::Trusted, EventKind::ToolCall { .. }) => Vec::new(),
                (Trust::Trusted, _) => lucid_core::digest::trusted_text_injection(&text)
                    .into_iter()
                    .collect(),
            };
            for injection in injections {
                report.findings.push(finding(
                    "injection",
                    injection.rule.to_string(),
                    injection.reason,
                    injection.excerpt,
                ));
                report.injections += 1;
            }
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for f in &report.findings {
            println!(
                "{}: session {} event {} ({}, {}): {} {}: {}\n    {}",
                f.path,
                f.session,
                f.event,
                f.event_type,
                match f.trust {
                    Trust::Trusted => "trusted",
                    Trust::Untrusted => "untrusted",
                },
                f.category,
                f.rule,
                f.reason,
                f.excerpt
            );
        }
        for s in &report.skipped {
            println!("skipped {}: {}", s.path, s.reason);
        }
        println!(
            "scanned {} ({}, {}): {}, {}",
            plural(report.files, "file"),
            plural(report.sessions, "session"),
            plural(report.events, "event"),
            plural(report.secrets, "secret"),
            plural(report.injections, "injection finding")
        );
    }
    // A gate that read nothing must not pass: a wrong path or a folder of unreadable files
    // would otherwise look like a clean scan.
    if report.sessions == 0 {
        eprintln!(
            "error: nothing was scanned: {}",
            if report.files == 0 {
                format!(
                    "no transcript files found (looked for {})",
                    lucid_fs::TRANSCRIPTS_LOOKED_FOR
                )
            } else {
                format!(
                    "none of the {} could be read as a transcript",
                    plural(report.files, "file")
                )
            }
        );
        return Ok(crate::EXIT_REFUSED);
    }
    Ok(if report.findings.is_empty() { 0 } else { 1 })
}

/// About 60 characters of the *redacted* text around its `n`-th redaction marker, so no part
/// of any secret can show.
fn excerpt_around_marker(redacted: &str, n: usize) -> String {
    let marker = "[redacted]";
    let positions: Vec<usize> = redacted.match_indices(marker).map(|(i, _)| i).collect();
    let Some(&at) = positions.get(n).or(positions.last()) else {
        return String::new();
    };
    let mut from = at.saturating_sub(40);
    while !redacted.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (at + marker.len() + 20).min(redacted.len());
    while !redacted.is_char_boundary(to) {
        to += 1;
    }
    redacted.get(from..to).unwrap_or("").replace('\n', " ")
}
