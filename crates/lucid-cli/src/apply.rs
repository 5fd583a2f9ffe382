//! `lucid apply`: promote part of a dream — the input store plus the changes a reviewer accepted.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use lucid_core::report::Report;
use lucid_core::selection::{Selection, apply_selection};

use crate::{EXIT_FAILED, EXIT_REFUSED};

/// Build a store from the input store and the changes of a dream you accept.
///
/// Every change in a dream's report has a stable id (`chg_…`, shown by `lucid dream` reports
/// and `lucid claude-code diff`). `--accept` keeps only the named changes; `--reject` keeps
/// every change but the named ones. The result is built from the input store, so a rejected add
/// is not added, a rejected merge keeps the originals, a rejected supersede keeps the old value
/// and a rejected remove keeps the item. Rejecting a change also rejects the changes built on it
/// (listed); accepting one without the change it builds on is refused, naming it. Items holding
/// a secret are never written. Nothing is written on error; the input store is never modified.
///
/// Exit codes: 0 written; 2 refused (unknown id, missing parent, bad arguments).
#[derive(Debug, Args)]
// One command a line (or `\` continuations), so 100-column help never wraps mid-command.
#[command(after_help = "Examples:
  lucid apply --store ./memory --report dream.json --reject chg_1a2b3c4d5e6f7a8b \\
      --out ./memory.reviewed
  lucid apply --store ./memory --report dream.json \\
      --accept chg_1a2b3c4d5e6f7a8b,chg_99aa00bb11cc22dd --out ./reviewed")]
pub struct ApplyArgs {
    /// The dream's input store (a folder of Markdown documents). Omit when it had none.
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,

    /// The dream's JSON report (`lucid dream --report`, or a `lucid claude-code` dream.json).
    #[arg(long, value_name = "FILE")]
    report: PathBuf,

    /// Keep only these changes (ids, comma-separated or repeated).
    #[arg(
        long,
        value_name = "ID",
        value_delimiter = ',',
        conflicts_with = "reject",
        required_unless_present = "reject"
    )]
    accept: Vec<String>,

    /// Keep every change but these (ids, comma-separated or repeated) and those built on them.
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    reject: Vec<String>,

    /// Where to write the resulting store: a new or empty folder, not the input store.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// A TOML config file (its `[safety]` secret patterns apply), as for `lucid dream`.
    #[arg(long, value_name = "FILE", env = "LUCID_CONFIG")]
    config: Option<PathBuf>,
}

pub fn run(args: ApplyArgs) -> anyhow::Result<u8> {
    let text = match std::fs::read_to_string(&args.report) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", args.report.display());
            return Ok(EXIT_REFUSED);
        }
    };
    let report = match parse_report(&text) {
        Ok(report) => report,
        Err(error) => {
            eprintln!(
                "error: {} is not a dream report: {error}",
                args.report.display()
            );
            return Ok(EXIT_REFUSED);
        }
    };
    let store = match &args.store {
        Some(dir) => match lucid_fs::read_store(dir) {
            Ok(store) => store,
            Err(error) => {
                eprintln!("error: {error}");
                return Ok(EXIT_REFUSED);
            }
        },
        None => lucid_core::Store::default(),
    };
    if let Err(error) = lucid_fs::check_output(&args.out, args.store.as_deref()) {
        eprintln!("error: {error}");
        return Ok(EXIT_REFUSED);
    }
    let safety = match crate::config::safety_policy(args.config.as_deref(), &[]) {
        Ok(policy) => policy,
        Err(error) => {
            eprintln!("error: {error:#}");
            return Ok(EXIT_REFUSED);
        }
    };
    let selection = Selection::from_lists(&args.accept, &args.reject);
    let selected = match apply_selection(&store, &report, &selection, &safety) {
        Ok(selected) => selected,
        Err(error) => {
            eprintln!("error: {error}; nothing written");
            return Ok(EXIT_REFUSED);
        }
    };
    if let Err(error) = lucid_fs::write_store(&args.out, &selected.store)
        .with_context(|| format!("writing {}", args.out.display()))
    {
        eprintln!("error: {error:#}");
        return Ok(EXIT_FAILED);
    }
    println!(
        "wrote {} ({} accepted, {} rejected)",
        args.out.display(),
        selected.accepted.len(),
        selected.rejected.len()
    );
    for (dependent, parent) in &selected.rejected_dependents {
        println!("  also rejected {dependent}: it builds on {parent}");
    }
    if selected.secrets_dropped > 0 {
        println!(
            "  {} item(s) of the input store held a secret and were left out",
            selected.secrets_dropped
        );
    }
    Ok(0)
}

/// A `lucid dream` report, or a `lucid claude-code` dream.json holding one under `report`.
fn parse_report(text: &str) -> Result<Report, serde_json::Error> {
    let value: serde_json::Value = serde_json::from_str(text)?;
    match value.get("report") {
        Some(inner) if inner.get("changes").is_some() => serde_json::from_value(inner.clone()),
        _ => serde_json::from_value(value),
    }
}
