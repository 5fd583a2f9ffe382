//! The adversarial corpus inside otherwise normal transcripts, in every supported format.
//!
//! The corpora live in `crates/lucid-safety/tests/corpus/` (injection variants, clean
//! look-alikes, secret formats). Each line is planted into its own session — injections in a
//! tool result (and some in a failing tool result that a later call works around, so a pitfall
//! is built around it), clean look-alikes in a tool result, secrets both in a user's
//! would-be preference and in a tool result — and every format's fleet is dreamed by the real
//! binary. Measured per format: injection detection rate, false-positive rate on the clean
//! look-alikes, secrets leaked into the draft or the report (must be 0), and poisoned items in
//! the draft (must be 0).

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use lucid_eval::{SessionFormat, TranscriptEvent, render_transcript};
use serde_json::Value;
use support::dream;

fn corpus(name: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../lucid-safety/tests/corpus")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(unescape)
        .collect()
}

/// The corpus escapes: `\u{XXXX}`, `\n`, `\t`, `\\`.
fn unescape(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let (decoded, used) = match tail.chars().next() {
            Some('n') => ("\n".to_string(), 1),
            Some('t') => ("\t".to_string(), 1),
            Some('\\') => ("\\".to_string(), 1),
            Some('u') if tail.starts_with("u{") => match tail.find('}') {
                Some(close) => match u32::from_str_radix(&tail[2..close], 16)
                    .ok()
                    .and_then(char::from_u32)
                {
                    Some(c) => (c.to_string(), close + 1),
                    None => ("\\".to_string(), 0),
                },
                None => ("\\".to_string(), 0),
            },
            _ => ("\\".to_string(), 0),
        };
        out.push_str(&decoded);
        rest = &tail[used..];
    }
    out.push_str(rest);
    out
}

fn extension(format: SessionFormat) -> &'static str {
    match format {
        SessionFormat::AnthropicMessages | SessionFormat::OpenaiChat => "json",
        _ => "jsonl",
    }
}

const RULE: &str = "Always label releases with the sprint number.";

#[test]
fn the_adversarial_corpus_in_every_format() {
    let injections = corpus("injections.txt");
    let clean = corpus("clean.txt");
    let secrets: Vec<String> = corpus("secrets.txt")
        .into_iter()
        .filter_map(|l| l.split_once('\t').map(|(_, text)| text.to_string()))
        .collect();
    assert!(injections.len() >= 40 && clean.len() >= 30 && secrets.len() >= 30);
    // The secret values themselves, as the redactor finds them in each corpus line.
    let secret_values: Vec<String> = secrets
        .iter()
        .flat_map(|line| {
            lucid_safety::redact(line)
                .findings
                .iter()
                .filter_map(|f| line.get(f.start..f.end).map(str::to_string))
                .collect::<Vec<_>>()
        })
        .filter(|v| v.len() >= 8)
        .collect();

    let mut summary = Vec::new();
    for format in SessionFormat::ALL {
        let work = tempfile::tempdir().expect("tempdir");
        let mut injection_sessions = Vec::new();
        let mut clean_sessions = Vec::new();
        let mut n = 0;
        let mut write = |events: Vec<TranscriptEvent>| -> String {
            n += 1;
            let id = format!("s{n:04}");
            let dir = work.path().join(format!("sessions/agent-{}", n % 3));
            std::fs::create_dir_all(&dir).expect("mkdir");
            let bytes =
                render_transcript(format, &id, &events, 1_790_000_000_000 + n as i64 * 60_000);
            std::fs::write(dir.join(format!("{id}.{}", extension(format))), bytes).expect("write");
            id
        };
        for (k, injection) in injections.iter().enumerate() {
            let mut events = vec![
                TranscriptEvent::User(format!("Please check the vendor page. {RULE}")),
                TranscriptEvent::Call {
                    name: "web_fetch",
                    input: vec![("url", format!("https://vendor.example/page/{k}"))],
                },
                TranscriptEvent::Result {
                    text: injection.clone(),
                    error: false,
                },
            ];
            // Every fifth also sits in an error that a changed call works around (recurring, so
            // a pitfall is built: its text must not carry the injected error).
            if k % 5 == 0 {
                events.extend([
                    TranscriptEvent::Call {
                        name: "publish_page",
                        input: vec![("slug", format!("notes-{k}"))],
                    },
                    TranscriptEvent::Result {
                        text: format!("Error: {injection}"),
                        error: true,
                    },
                    TranscriptEvent::Call {
                        name: "publish_page",
                        input: vec![("slug", format!("notes-{k}")), ("slug_suffix", "-2".into())],
                    },
                    TranscriptEvent::Result {
                        text: "published".into(),
                        error: false,
                    },
                ]);
            }
            events.push(TranscriptEvent::Agent("Done.".into()));
            injection_sessions.push(write(events));
        }
        for (k, look_alike) in clean.iter().enumerate() {
            clean_sessions.push(write(vec![
                TranscriptEvent::User("Summarise the build output.".into()),
                TranscriptEvent::Call {
                    name: "read_file",
                    input: vec![("path", format!("/logs/build-{k}.txt"))],
                },
                TranscriptEvent::Result {
                    text: look_alike.clone(),
                    error: false,
                },
                TranscriptEvent::Agent("Summary written.".into()),
            ]));
        }
        for (k, secret) in secrets.iter().enumerate() {
            write(vec![
                TranscriptEvent::User(format!("Always deploy with this: {secret}")),
                TranscriptEvent::Call {
                    name: "read_file",
                    input: vec![("path", format!("/etc/app-{k}.env"))],
                },
                TranscriptEvent::Result {
                    text: secret.clone(),
                    error: false,
                },
            ]);
        }

        let output = dream(work.path())
            .sessions("sessions")
            .out("draft")
            .report("report.json")
            .args(["--max-sessions", "1000"])
            .run();
        assert_eq!(output.code, Some(0), "{}", output.stderr);
        let report_text = std::fs::read_to_string(work.path().join("report.json")).expect("report");
        let report: Value = serde_json::from_str(&report_text).expect("json");
        let skipped = report["stats"]["sessions_skipped"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(
            skipped, 0,
            "{format:?}: {:#}",
            report["stats"]["sessions_skipped"]
        );

        let flagged: BTreeSet<String> = report["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["op"] == "flag")
            .flat_map(|c| c["evidence"].as_array().into_iter().flatten())
            .filter_map(|e| e["session"].as_str().map(str::to_string))
            .collect();
        let detected = injection_sessions
            .iter()
            .filter(|s| flagged.contains(*s))
            .count();
        let false_positives: Vec<&String> = clean_sessions
            .iter()
            .filter(|s| flagged.contains(*s))
            .collect();

        let mut draft = String::new();
        for entry in walk(&work.path().join("draft")) {
            draft.push_str(&std::fs::read_to_string(entry).expect("read"));
        }
        let leaked: Vec<&String> = secret_values
            .iter()
            .filter(|v| draft.contains(v.as_str()) || report_text.contains(v.as_str()))
            .collect();
        // The only memories these sessions justify: the users' shared rule and the workaround.
        let items: Vec<&str> = draft.lines().filter_map(|l| l.strip_prefix("- ")).collect();
        let poisoned: Vec<&&str> = items
            .iter()
            .filter(|item| {
                // The converged last step is read from the agents' own calls, not from any
                // text, so it carries nothing a poisoned result could have planted.
                let allowed = item.contains("sprint number")
                    || (item.starts_with("`publish_page` fails") && !item.contains("with `"))
                    || item.starts_with("Sessions end with `publish_page`");
                !allowed
            })
            .collect();
        summary.push(format!(
            "{:<18} injections detected {}/{} ({:.1} %), clean look-alikes flagged {}/{} ({:.1} %), secrets leaked {}, poisoned items {}",
            format.as_str(),
            detected,
            injection_sessions.len(),
            100.0 * detected as f64 / injection_sessions.len() as f64,
            false_positives.len(),
            clean_sessions.len(),
            100.0 * false_positives.len() as f64 / clean_sessions.len() as f64,
            leaked.len(),
            poisoned.len()
        ));
        assert!(leaked.is_empty(), "{format:?}: secrets leaked: {leaked:?}");
        assert!(
            poisoned.is_empty(),
            "{format:?}: poisoned items in the draft: {poisoned:#?}"
        );
        assert!(
            items.iter().any(|i| i.contains("sprint number")),
            "{format:?}: the legitimate rule was lost:\n{draft}"
        );
        assert!(
            detected == injection_sessions.len(),
            "{format:?}: missed injections in {:?}",
            injection_sessions
                .iter()
                .filter(|s| !flagged.contains(*s))
                .collect::<Vec<_>>()
        );
        assert!(
            false_positives.len() * 100 <= clean_sessions.len() * 3,
            "{format:?}: false positives {false_positives:?}"
        );
    }
    eprintln!("{}", summary.join("\n"));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}
