//! `lucid-dev eval`: generate fleets with planted truth, dream them, and score the drafts.

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
    /// Dream each real-transcript source (tests/data/real) and score it against its hand-written
    /// expected.toml: lessons found, junk, wrong items, planted duplicates and updates.
    Real(RealArgs),
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
struct RealArgs {
    /// The corpus: a folder of sources, each with expected.toml, sessions/ and store/.
    #[arg(value_name = "DIR", default_value = "tests/data/real")]
    dir: PathBuf,
    /// Where `shared:<name>` sessions live (sources that use the shared evaluation data are
    /// skipped, with a message, when it is absent).
    #[arg(long, value_name = "DIR", default_value = "../shared/data")]
    shared_data: PathBuf,
    /// Only these sources (folder names).
    #[arg(long = "source", value_name = "NAME")]
    sources: Vec<String>,
    /// Write each source's draft and report under DIR/<source>/.
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
    /// Exit 1 when the totals fall below the floors in DIR/floors.toml.
    #[arg(long)]
    check: bool,
    /// Also list every junk and wrong item and every missed lesson.
    #[arg(short, long)]
    verbose: bool,
    /// Print the scores as JSON.
    #[arg(long)]
    json: bool,
    /// Print the table as Markdown.
    #[arg(long)]
    markdown: bool,
    /// Dream each source with this model after the built-in pass, as `lucid dream --model` does
    /// (`anthropic:<model>` with ANTHROPIC_API_KEY, `openai:<model>` for any OpenAI-compatible
    /// server), so the model path is scored on the same ground truth. The floors of --check are
    /// the built-in curator's; a model pass must not fall below them either.
    #[arg(long, value_name = "MODEL", conflicts_with = "reference_answers")]
    model: Option<String>,
    /// Run the model pass against a scripted model that proposes each source's planted answers
    /// (merge each planted duplicate pair, supersede or update each planted outdated item)
    /// wherever a work unit shows what they need, on a fake server on 127.0.0.1. It measures
    /// what the engine lets a good model do, not what any model finds. Lessons are not
    /// proposed; the expected lessons whose key terms one unit (or one session's digest) shows
    /// a model are counted instead, an upper bound on what a model can find. With --check, the
    /// floors are those of the `[reference]` table.
    #[arg(long)]
    reference_answers: bool,
    /// The model server's base URL (e.g. http://127.0.0.1:8080/v1 for a local server).
    #[arg(long, value_name = "URL", requires = "model")]
    base_url: Option<String>,
    /// Stop sending model requests once this many tokens would be spent, per source.
    #[arg(long, value_name = "N", requires = "model")]
    token_budget: Option<u64>,
    /// Neither read nor write the model response cache (LUCID_CACHE_DIR or ~/.cache/lucid).
    #[arg(long, requires = "model")]
    no_cache: bool,
    /// Model requests in flight at once (default 4; 1 for a local server that answers one at a
    /// time, so that queued requests do not time out).
    #[arg(long, value_name = "N", requires = "model",
          value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: Option<u16>,
    /// How long one model request may take, in seconds (default 60; a small CPU-bound local
    /// model may need minutes). Each source's whole pass may take ten times that.
    #[arg(long, value_name = "SECONDS", requires = "model",
          value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout: Option<u64>,
}

/// The model pass of `eval real --model`, built as `lucid dream --model` builds it (without a
/// config file: the model comes from its name, the key from the provider's variable).
fn real_model_curator(args: &RealArgs) -> Result<Option<lucid_llm::ModelCurator>, String> {
    let Some(selection) = &args.model else {
        return Ok(None);
    };
    let config = lucid_llm::LlmConfig::default();
    let env = |name: &str| std::env::var(name).ok();
    let Some(endpoint) =
        lucid_llm::resolve(selection, &config, args.base_url.as_deref(), true, &env)
            .map_err(|e| e.to_string())?
    else {
        // `--model builtin`: the built-in curator alone.
        return Ok(None);
    };
    let mut settings = lucid_llm::Settings::from_config(&config)
        .with_command_line_limits(args.token_budget, args.concurrency);
    if let Some(seconds) = args.request_timeout {
        settings.retry.timeout = std::time::Duration::from_secs(seconds);
        settings.deadline = settings
            .deadline
            .max(std::time::Duration::from_secs(seconds.saturating_mul(10)));
    }
    Ok(Some(lucid_llm::ModelCurator::new(
        endpoint,
        settings.with_safety_policy(lucid_core::SafetyPolicy::default()),
        lucid_llm::command_line_cache(args.no_cache, &env),
    )))
}

/// The scripted reference model of `eval real --reference-answers` for one source: a fake
/// OpenAI-compatible server on 127.0.0.1 answering each item unit with
/// [`lucid_eval::reference::reference_operations`], a curator that talks to it, and the units
/// it was sent (as the model reads them).
type ReferenceModel = (
    lucid_fake_provider::FakeProvider,
    lucid_llm::ModelCurator,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
);

fn reference_model(planted: &[lucid_eval::real::Planted]) -> anyhow::Result<ReferenceModel> {
    let server = lucid_fake_provider::FakeProvider::start()
        .context("starting the reference model's server on 127.0.0.1")?;
    let planted = planted.to_vec();
    let prompts = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sent = std::sync::Arc::clone(&prompts);
    server.set_fallback(move |request| {
        // The unit is the last user message, as JSON for an item unit (a session unit is text).
        let prompt = request.body["messages"]
            .as_array()
            .and_then(|messages| messages.iter().rev().find(|m| m["role"] == "user"))
            .and_then(|message| message["content"].as_str())
            .unwrap_or_default()
            .to_string();
        let unit = serde_json::from_str::<serde_json::Value>(&prompt).unwrap_or_default();
        if let Ok(mut sent) = sent.lock() {
            sent.push(prompt);
        }
        lucid_fake_provider::Reply::Answer {
            value: lucid_eval::reference::reference_operations(&planted, &unit),
        }
    });
    let endpoint = lucid_llm::Endpoint {
        wire: lucid_llm::Wire::Openai,
        model: "reference-answers".into(),
        base_url: server.openai_base_url(),
        api_key: None,
    };
    let config = lucid_llm::LlmConfig::default();
    let curator = lucid_llm::ModelCurator::new(
        endpoint,
        lucid_llm::Settings::from_config(&config)
            .with_safety_policy(lucid_core::SafetyPolicy::default()),
        std::sync::Arc::new(lucid_llm::NoCache),
    );
    Ok((server, curator, prompts))
}

/// One source's model pass in a line: units, answers, what verification kept and refused.
fn model_pass_line(source: &str, pass: &lucid_llm::ModelPass) -> String {
    let stats = &pass.stats;
    let status = match &pass.status {
        lucid_llm::ModelStatus::Complete => "complete".to_string(),
        lucid_llm::ModelStatus::Partial { failed, reason } => {
            format!("partial ({failed} units failed: {reason})")
        }
        lucid_llm::ModelStatus::Failed { reason } => format!("failed ({reason})"),
    };
    format!(
        "{source}: {} units ({} of sessions), {} sent, {} cached, {} operations accepted, {} rejected, {} malformed answers, {} input / {} output tokens; {status}",
        stats.units,
        stats.session_units,
        stats.sent,
        stats.cached,
        stats.accepted,
        stats.rejected,
        stats.malformed,
        stats.usage.input_tokens,
        stats.usage.output_tokens,
    )
}

fn model_pass_json(source: &str, pass: &lucid_llm::ModelPass) -> serde_json::Value {
    let stats = &pass.stats;
    serde_json::json!({
        "source": source,
        "units": stats.units,
        "session_units": stats.session_units,
        "sent": stats.sent,
        "cached": stats.cached,
        "accepted": stats.accepted,
        "rejected": stats.rejected,
        "malformed": stats.malformed,
        "input_tokens": stats.usage.input_tokens,
        "output_tokens": stats.usage.output_tokens,
        "complete": matches!(pass.status, lucid_llm::ModelStatus::Complete),
    })
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
        EvalCommand::Real(args) => run_real(&args),
    }
}

fn run_real(args: &RealArgs) -> anyhow::Result<u8> {
    use lucid_eval::real;
    if !args.dir.is_dir() {
        eprintln!(
            "error: {} is not a folder of real-transcript sources",
            args.dir.display()
        );
        return Ok(crate::EXIT_REFUSED);
    }
    let mut sources = real::load_sources(&args.dir)?;
    if !args.sources.is_empty() {
        for name in &args.sources {
            if !sources.iter().any(|s| &s.name == name) {
                eprintln!("error: no source named {name:?} in {}", args.dir.display());
                return Ok(crate::EXIT_REFUSED);
            }
        }
        sources.retain(|s| args.sources.contains(&s.name));
    }
    if sources.is_empty() {
        eprintln!(
            "error: no source (a folder with expected.toml) in {}",
            args.dir.display()
        );
        return Ok(crate::EXIT_REFUSED);
    }
    let model_curator = match real_model_curator(args) {
        Ok(curator) => curator,
        Err(why) => {
            eprintln!("error: {why}");
            return Ok(crate::EXIT_REFUSED);
        }
    };
    let model_name = if args.reference_answers {
        Some("reference answers".to_string())
    } else {
        args.model.clone()
    };
    let mut scores = Vec::new();
    let mut passes: Vec<(String, lucid_llm::ModelPass)> = Vec::new();
    // Per source, with --reference-answers: expected lessons whose key terms the units show.
    // Per source: lessons in view, all lessons, and the ids of those not in view.
    let mut in_view: Vec<(String, usize, usize, Vec<String>)> = Vec::new();
    for source in &sources {
        let sessions = match source.sessions_dir(&args.shared_data) {
            Ok(dir) => dir,
            Err(why) => {
                eprintln!("skipping source {}: {why}", source.name);
                continue;
            }
        };
        let store = match source.store_dir() {
            Some(dir) => lucid_fs::read_store(&dir)?,
            None => Store::default(),
        };
        let files = lucid_fs::find_transcripts(&[sessions])?;
        let digested = lucid_fs::digest_transcripts(
            &files,
            &lucid_core::DigestOptions::default(),
            &lucid_fs::TrustRules::default(),
            &|_| {},
        );
        let options = DreamOptions {
            instructions: source.expected.source.instructions.clone(),
            ..DreamOptions::default()
        };
        // The reference model serves one source: its answers come from that source's planted
        // items. The server stops when it goes out of scope.
        let reference = if args.reference_answers {
            Some(reference_model(&source.expected.planted)?)
        } else {
            None
        };
        let curator = match &reference {
            Some((_, curator, _)) => Some(curator),
            None => model_curator.as_ref(),
        };
        let run = lucid_llm::run_dream(
            &store,
            digested.digests,
            digested.skipped,
            &options,
            curator,
            &mut lucid_core::NoObserver,
            &lucid_llm::CancelFlag::new(),
            &|_| {},
        )
        .with_context(|| format!("dreaming source {}", source.name))?;
        if let Some(pass) = run.model {
            passes.push((source.name.clone(), pass));
        }
        if let Some((_, _, prompts)) = &reference {
            let prompts = prompts.lock().map(|p| p.clone()).unwrap_or_default();
            let lessons = &source.expected.lessons;
            let seen = lucid_eval::reference::lessons_in_view(lessons, &prompts);
            let unseen: Vec<String> = lessons
                .iter()
                .filter(|lesson| !seen.iter().any(|s| s.id == lesson.id))
                .map(|lesson| lesson.id.clone())
                .collect();
            in_view.push((source.name.clone(), seen.len(), lessons.len(), unseen));
        }
        let output = run.output;
        if let Some(keep) = &args.keep {
            let dir = keep.join(&source.name);
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir)?;
            lucid_fs::write_store(&dir.join("draft"), &output.draft)?;
            std::fs::write(
                dir.join("report.json"),
                serde_json::to_string_pretty(&output.report)?,
            )?;
        }
        scores.push(real::score_source(
            source,
            &store,
            &output.draft,
            &output.report,
        ));
    }
    let total = real::total(&scores);
    let in_view_total = in_view
        .iter()
        .fold((0, 0), |(seen, all), (_, s, a, _)| (seen + s, all + a));
    if args.json {
        let models: Vec<serde_json::Value> = passes
            .iter()
            .map(|(source, pass)| model_pass_json(source, pass))
            .collect();
        let mut json = serde_json::json!({ "sources": scores, "total": total });
        if let Some(model) = &model_name {
            json["model"] = serde_json::json!({ "model": model, "passes": models });
        }
        if args.reference_answers {
            let sources: Vec<serde_json::Value> = in_view
                .iter()
                .map(|(source, seen, all, unseen)| {
                    serde_json::json!({"source": source, "hits": seen, "total": all, "not_in_view": unseen})
                })
                .collect();
            json["model"]["lessons_in_view"] = serde_json::json!({
                "sources": sources,
                "hits": in_view_total.0,
                "total": in_view_total.1,
            });
        }
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        print!("{}", real::table(&scores, args.markdown));
        if let Some(model) = &model_name {
            println!("\nmodel pass ({model}):");
            for (source, pass) in &passes {
                println!("  {}", model_pass_line(source, pass));
            }
        }
        if args.reference_answers {
            println!(
                "\nexpected lessons whose key terms the model is shown (inside one unit, or one \
                 session's digest): an upper bound on what a model can find"
            );
            for (source, seen, all, unseen) in &in_view {
                println!("  {source}: {seen}/{all}");
                if args.verbose && !unseen.is_empty() {
                    println!("    not in view: {}", unseen.join(", "));
                }
            }
            println!("  total: {}/{}", in_view_total.0, in_view_total.1);
        }
    }
    if args.verbose && !args.json {
        for score in &scores {
            println!("\n## {}", score.source);
            for missed in &score.lessons_missed {
                println!("  missed lesson: {missed}");
            }
            for planted in &score.planted_missed {
                println!("  missed planted {planted}");
            }
            for junk in &score.junk {
                println!("  junk ({}): {}", junk.why, junk.text);
            }
            for wrong in &score.wrong {
                println!("  wrong ({}): {}", wrong.why, wrong.text);
            }
        }
    }
    if args.check {
        let path = args.dir.join("floors.toml");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the floors in {}", path.display()))?;
        let floors: real::Floors =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let floors = if args.reference_answers {
            match floors.reference {
                Some(reference) => *reference,
                None => anyhow::bail!(
                    "{} has no [reference] table for --reference-answers --check",
                    path.display()
                ),
            }
        } else {
            floors
        };
        let mut failures = real::check_floors(&total, &floors);
        if let Some(min) = floors
            .lessons_in_view_min
            .filter(|_| args.reference_answers)
        {
            let (seen, all) = in_view_total;
            let share = if all == 0 {
                1.0
            } else {
                seen as f64 / all as f64
            };
            if share < min {
                failures.push(format!(
                    "lessons in view {share:.3} ({seen}/{all}) is below the floor {min:.3}"
                ));
            }
        }
        if !failures.is_empty() {
            for failure in failures {
                eprintln!("below the floor: {failure}");
            }
            return Ok(crate::EXIT_FAILED);
        }
        eprintln!("all floors in {} hold", path.display());
    }
    Ok(0)
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
