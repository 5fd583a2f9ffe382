//! `lucid eval`: generate fleets with planted truth, dream them, and score the drafts.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use lucid_core::report::Report;
use lucid_core::{DreamOptions, Store};
use lucid_eval::score::{self, Scorecard};

/// Measure curation quality against planted ground truth (and public data).
#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(subcommand)]
    command: EvalCommand,
}

#[derive(Debug, Subcommand)]
enum EvalCommand {
    /// Write a generated fleet: store/, sessions/<agent>/…, instructions.txt and truth.json.
    Fleet(FleetArgs),
    /// Score a draft store and its report against a fleet's truth.json.
    Score(ScoreArgs),
    /// Generate a fleet, dream it with the built-in curator, and score the draft.
    Run(RunArgs),
    /// Dream each LoCoMo conversation and measure evidence-turn recall of retrieval over the
    /// store, next to BM25 over raw turns.
    Locomo(crate::locomo::LocomoArgs),
}

#[derive(Debug, Args)]
struct FleetShape {
    /// Number of sessions (transcripts).
    #[arg(long, default_value_t = 40)]
    sessions: usize,
    /// Number of agents.
    #[arg(long, default_value_t = 6)]
    agents: usize,
    /// Random seed: the same seed gives the same fleet, byte for byte.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Events per session.
    #[arg(long, default_value_t = 60)]
    events_per_session: usize,
    /// Bytes of neutral filler content per session.
    #[arg(long, default_value_t = 0)]
    bytes_per_session: usize,
}

impl FleetShape {
    fn config(&self) -> lucid_eval::FleetConfig {
        lucid_eval::FleetConfig {
            sessions: self.sessions,
            agents: self.agents,
            seed: self.seed,
            events_per_session: self.events_per_session,
            filler_bytes_per_session: self.bytes_per_session,
        }
    }
}

#[derive(Debug, Args)]
struct FleetArgs {
    #[command(flatten)]
    shape: FleetShape,
    /// Folder to write the fleet to (must be new or empty).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct ScoreArgs {
    /// The fleet's truth.json.
    #[arg(long, value_name = "FILE")]
    truth: PathBuf,
    /// The draft store the dream wrote.
    #[arg(long, value_name = "DIR")]
    draft: PathBuf,
    /// The dream's JSON report.
    #[arg(long, value_name = "FILE")]
    report: PathBuf,
    /// The input store (default: the `store` folder next to truth.json).
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Print the scorecard as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct RunArgs {
    #[command(flatten)]
    shape: FleetShape,
    /// Keep the fleet, draft and report in this folder (default: a temporary folder).
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
    /// Dream without the fleet's instructions.
    #[arg(long)]
    no_instructions: bool,
    /// Print the scorecard as JSON.
    #[arg(long)]
    json: bool,
    /// Print the table as Markdown.
    #[arg(long)]
    markdown: bool,
}

pub fn run(args: EvalArgs) -> anyhow::Result<u8> {
    match args.command {
        EvalCommand::Fleet(args) => {
            if args.out.exists()
                && std::fs::read_dir(&args.out)
                    .map(|mut d| d.next().is_some())
                    .unwrap_or(true)
            {
                eprintln!("error: {} exists and is not empty", args.out.display());
                return Ok(crate::EXIT_REFUSED);
            }
            let truth = lucid_eval::write_fleet_streaming(&args.shape.config(), &args.out)
                .with_context(|| format!("writing the fleet to {}", args.out.display()))?;
            println!(
                "fleet written to {}: {} sessions, {} agents, {} store items, {:.1} MB of transcripts",
                args.out.display(),
                truth.sessions,
                truth.agents,
                truth.store_items,
                truth.transcript_bytes as f64 / 1e6
            );
            for (what, count) in score::planted_counts(&truth) {
                println!("  {what}: {count}");
            }
            Ok(0)
        }
        EvalCommand::Score(args) => {
            let truth = lucid_eval::read_truth(&args.truth)?;
            let store_dir = args
                .store
                .clone()
                .unwrap_or_else(|| args.truth.parent().unwrap_or(Path::new(".")).join("store"));
            let card = score_files(&truth, &store_dir, &args.draft, &args.report)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&card)?);
            } else {
                print!("{}", score::table(&[("draft", &card)], false));
            }
            Ok(0)
        }
        EvalCommand::Run(args) => {
            let (card, _) = run_fleet(
                &args.shape.config(),
                args.keep.as_deref(),
                !args.no_instructions,
            )?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&card)?);
            } else {
                let name = format!("{} sessions, seed {}", args.shape.sessions, args.shape.seed);
                print!("{}", score::table(&[(name.as_str(), &card)], args.markdown));
            }
            Ok(0)
        }
        EvalCommand::Locomo(args) => crate::locomo::run(args),
    }
}

fn score_files(
    truth: &lucid_eval::Truth,
    store: &Path,
    draft: &Path,
    report: &Path,
) -> anyhow::Result<Scorecard> {
    let input = lucid_fs::read_store(store)?;
    let draft = lucid_fs::read_store(draft)?;
    let report_text =
        std::fs::read_to_string(report).with_context(|| format!("reading {}", report.display()))?;
    let report: Report = serde_json::from_str(&report_text)
        .with_context(|| format!("parsing {}", report.display()))?;
    Ok(score::score(truth, &input, &draft, &report, &report_text))
}

/// Generates a fleet, dreams it in-process, writes draft and report next to it, and scores.
pub fn run_fleet(
    config: &lucid_eval::FleetConfig,
    keep: Option<&Path>,
    with_instructions: bool,
) -> anyhow::Result<(Scorecard, lucid_eval::Truth)> {
    let temp;
    let dir = match keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            dir.to_path_buf()
        }
        None => {
            temp = tempfile::tempdir()?;
            temp.path().to_path_buf()
        }
    };
    let fleet = dir.join("fleet");
    let _ = std::fs::remove_dir_all(&fleet);
    let truth = lucid_eval::write_fleet_streaming(config, &fleet)?;
    let store: Store = lucid_fs::read_store(&fleet.join("store"))?;
    let files = lucid_fs::find_transcripts(&[fleet.join("sessions")])?;
    let digested = lucid_fs::digest_transcripts(
        &files,
        &lucid_core::DigestOptions::default(),
        &lucid_fs::TrustRules::default(),
        &|_| {},
    );
    let options = DreamOptions {
        instructions: with_instructions.then(|| truth.instructions.clone()),
        ..DreamOptions::default()
    };
    let output = lucid_core::dream(&store, digested.digests, digested.skipped, &options)?;
    let draft = dir.join("draft");
    let _ = std::fs::remove_dir_all(&draft);
    lucid_fs::write_store(&draft, &output.draft)?;
    let report_text = serde_json::to_string_pretty(&output.report)?;
    std::fs::write(dir.join("report.json"), &report_text)?;
    let card = score::score(&truth, &store, &output.draft, &output.report, &report_text);
    Ok((card, truth))
}
