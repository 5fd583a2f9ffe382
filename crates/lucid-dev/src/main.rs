//! `lucid-dev`: the developer binary (rust-analyzer's `xtask`, ripgrep's benchsuite). Evaluation
//! and benchmarks live here so the `lucid` users install holds only product commands and links
//! neither the evaluation crate nor the fake model provider.
//!
//! Run it from the repository root: `cargo run --release -p lucid-dev -- eval real`. Benchmarks
//! that time the product (`bench`, `bench-serve --limits`, `bench-scale`) run the `lucid` binary
//! built beside this one (`cargo build --release -p lucid-cli -p lucid-dev`), or the one
//! `LUCID_BIN` names.

// Doc comments in a binary are clap's `--help` text, written for the terminal (`[models]`,
// `[1024]`, `<FILE>`), not rustdoc Markdown: rustdoc's link and HTML checks do not apply.
#![allow(
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags,
    reason = "doc comments here are --help text"
)]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use clap::{Parser, Subcommand};

mod bench;
mod bench_scale;
mod bench_search;
mod bench_tokens;
mod eval;
mod locomo;
mod serve_bench;

/// lucid-dev: evaluation and benchmarks of lucid, for its developers.
///
/// Not shipped: `lucid` is the product. Run from the repository root (default paths such as
/// tests/data/real and ../shared/data are relative to it).
#[derive(Debug, Parser)]
#[command(name = "lucid-dev", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Eval(eval::EvalArgs),
    Bench(bench::BenchArgs),
    BenchServe(serve_bench::BenchServeArgs),
    BenchScale(bench_scale::BenchScaleArgs),
    BenchSearch(bench_search::BenchSearchArgs),
    BenchTokens(bench_tokens::BenchTokensArgs),
}

/// Exit codes, as the product's: 0 success, 1 failed (a floor or goal missed), 2 refused.
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_REFUSED: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Eval(args) => eval::run(args),
        Command::Bench(args) => bench::run(args),
        Command::BenchServe(args) => serve_bench::run(args),
        Command::BenchScale(args) => bench_scale::run(args),
        Command::BenchSearch(args) => bench_search::run(args),
        Command::BenchTokens(args) => bench_tokens::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

/// The rustls crypto provider (ring) for the HTTP clients, as the product installs it.
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The product binary a benchmark times: `LUCID_BIN`, else `lucid` beside this executable
/// (cargo puts both in the same `target/<profile>/`).
pub fn product_binary() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("LUCID_BIN") {
        return Ok(PathBuf::from(path));
    }
    let this = std::env::current_exe()?;
    let beside = this.with_file_name(format!("lucid{}", std::env::consts::EXE_SUFFIX));
    if !beside.is_file() {
        bail!(
            "no lucid binary at {}: build it in the same profile (`cargo build --release -p \
             lucid-cli -p lucid-dev`) or name one with LUCID_BIN",
            beside.display()
        );
    }
    Ok(beside)
}

#[cfg(test)]
mod help_tests {
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
        for sub in command.get_subcommands() {
            walk(sub, &path, problems);
        }
    }

    /// The same rule as the product's help: every argument says what it is for.
    #[test]
    fn every_argument_has_a_description() {
        let mut problems = Vec::new();
        walk(&super::Cli::command(), "", &mut problems);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
