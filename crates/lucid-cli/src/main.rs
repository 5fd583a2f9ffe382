//! The `lucid` command. A thin shell: argument parsing and output; the work lives in libraries.

// Doc comments in a binary are clap's `--help` text, written for the terminal (`[models]`,
// `[1024]`, `<FILE>`), not rustdoc Markdown: rustdoc's link and HTML checks do not apply.
#![allow(
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags,
    reason = "doc comments here are --help text"
)]

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

mod apply;
mod claude_code;
mod client;
mod config;
mod db;
mod docs;
mod dream;
mod keys;
mod mcp;
mod scan;
mod serve;

/// lucid: a self-hosted dreaming engine for AI agents.
///
/// A dream reads an agent fleet's session transcripts and its memory store, and writes a new,
/// curated memory store (a draft) plus a report of every change with its evidence. The input
/// store is never modified.
///
/// Config file: --config FILE (or LUCID_CONFIG), else the first of ./lucid.toml,
/// $XDG_CONFIG_HOME/lucid/lucid.toml and ~/.config/lucid/lucid.toml that exists.
#[derive(Debug, Parser)]
#[command(
    name = "lucid",
    version = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("LUCID_COMMIT"), ")"),
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Dream(dream::DreamArgs),
    ClaudeCode(claude_code::ClaudeCodeArgs),
    Apply(apply::ApplyArgs),
    Scan(scan::ScanArgs),
    Serve(serve::ServeArgs),
    Keys(keys::KeysArgs),
    Db(db::DbArgs),
    Stores(client::StoresArgs),
    Memories(client::MemoriesArgs),
    Agents(client::AgentsArgs),
    Sessions(client::SessionsArgs),
    Dreams(client::DreamsArgs),
    Mcp(mcp::McpArgs),
    Search(mcp::SearchArgs),
    Completions(docs::CompletionsArgs),
    Man(docs::ManArgs),
}

/// Exit codes: 0 success, 1 the dream ran and failed, 2 refused (bad input or usage).
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_REFUSED: u8 = 2;

fn main() -> ExitCode {
    exit_quietly_on_closed_pipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dream(args) => dream::run(args),
        Command::ClaudeCode(args) => claude_code::run(args),
        Command::Apply(args) => apply::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Keys(args) => keys::run(args),
        Command::Db(args) => db::run(args),
        Command::Stores(args) => client::stores(args),
        Command::Memories(args) => client::memories(args),
        Command::Agents(args) => client::agents(args),
        Command::Sessions(args) => client::sessions(args),
        Command::Dreams(args) => client::dreams(args),
        Command::Mcp(args) => mcp::run_mcp(args),
        Command::Search(args) => mcp::run_search(args),
        Command::Completions(args) => docs::completions(args, Cli::command()),
        Command::Man(args) => docs::man(args, Cli::command()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

/// `lucid … | head -1`: when the reader closes the pipe, printing fails; that is the reader's
/// choice, not an error, so the process ends quietly (as ripgrep does) instead of panicking.
/// Rust ignores SIGPIPE, so the failed write surfaces as a panic from `println!`; the hook
/// recognises exactly that panic and exits 0, and leaves every other panic to the default hook.
fn exit_quietly_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

/// A count with thousands grouped by commas (`4,096`), as the help and README write numbers.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Peak resident memory of this process (Linux `VmHWM`), for the timing line (which `lucid-dev
/// bench` reads).
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod help_tests {
    #[test]
    fn thousands_are_grouped_by_commas() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(100), "100");
        assert_eq!(super::thousands(4_096), "4,096");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }

    use clap::CommandFactory;

    fn walk(command: &clap::Command, path: &str, problems: &mut Vec<String>) {
        let path = format!("{path} {}", command.get_name()).trim().to_string();
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if matches!(id, "help" | "version") {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                problems.push(format!("{path}: argument {id} has no description"));
            }
        }
        // Examples are one command a line: wrapped at 100 columns a command is cut in two.
        if let Some(after) = command.get_after_help() {
            for line in after.to_string().lines() {
                if line.chars().count() > 100 && !line.ends_with('\\') {
                    problems.push(format!("{path}: help line over 100 columns: {line}"));
                }
            }
        }
        for sub in command.get_subcommands() {
            walk(sub, &path, problems);
        }
    }

    /// Issue 11 polish: `<ID>`, `<STORE>`, `--full`, trust levels had no description, and
    /// examples wrapped mid-command at 100 columns.
    #[test]
    fn every_argument_has_a_description_and_examples_fit_100_columns() {
        let mut problems = Vec::new();
        walk(&super::Cli::command(), "", &mut problems);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
