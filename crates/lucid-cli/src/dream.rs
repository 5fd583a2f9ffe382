//! `lucid dream`: run the built-in curator over a store folder and transcript files.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lucid_core::report::{DreamStatus, Report, Stats};
use lucid_core::{DreamOptions, Store};

use crate::{EXIT_FAILED, EXIT_REFUSED};

/// Curate a memory store from session transcripts into a new draft store.
///
/// Reads the store folder (UTF-8 Markdown files; each list item or paragraph is a memory item)
/// and up to --max-sessions transcripts, and writes a NEW store to --out plus a report. The input
/// store is never modified. No server, model or API key is needed: the built-in curator is
/// deterministic. With --model, a model then refines its result; the model only proposes, and
/// every operation is verified before it reaches the draft (rejected ones are in the report).
///
/// Transcript formats are detected per file (folders are read recursively for .jsonl, .json,
/// .ndjson, .traj and .md): Claude Code JSONL, Anthropic Managed Agents session events,
/// Anthropic Messages API JSON, OpenAI Chat Completions JSON, OpenAI Responses / Codex CLI
/// rollout JSONL, Cline / Roo Code task folders (api_conversation_history.json, or a
/// ui_messages.json alone, or Cline's Markdown task export), SWE-agent and
/// mini-swe-agent trajectories, aider chat transcripts (Markdown; each run of aider is a
/// session), OpenHands trajectories,
/// GitHub Copilot CLI session logs (events.jsonl), OpenCode sessions (`opencode export`),
/// Gemini CLI chat logs, SpecStory exports of Cursor / Claude Code chats (.specstory/*.md),
/// Google Antigravity step logs (transcript.jsonl) and OpenClaw session logs.
/// A file that cannot be parsed, or that a bug
/// in lucid trips, is skipped and listed in the report with the reason.
///
/// The curator merges duplicates, keeps the newest value when items contradict, and surfaces
/// recurring tool workarounds, converged workflows and user preferences (team scope when two or
/// more agents share them). A session's agent is the one its format names, else the folder
/// holding it (`fleet/support-bot/s1.jsonl`), else, when that folder files sessions by date or
/// id (Codex's `sessions/2025/08/22/`, Entire's checkpoints) or is a harness's own store, the
/// project folder the session ran in (a git worktree counts as its project: `cli/.worktrees/2`
/// is `cli`). Secrets and injected instructions never reach the draft.
///
/// Exit codes: 0 completed; 1 the dream failed (e.g. no usable session); 2 refused (bad
/// arguments, too many sessions, instructions too long, unreadable store, unusable --out).
/// A refused dream writes nothing.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lucid dream --store ./memory --sessions ./transcripts --out ./memory.draft --report dream.json
  lucid dream --sessions ~/.claude/projects/myproj --out ./draft --json
  lucid dream --store ./memory --sessions ./t --out ./d \\
      --instructions \"Focus on tool quirks; ignore one-off debugging notes.\"
  lucid dream --store ./memory --sessions ./t --out ./d \\
      --model anthropic:claude-sonnet-4-6 --token-budget 200000
  lucid dream --store ./memory --sessions ./t --out ./d \\
      --model openai:qwen2.5-14b --base-url http://127.0.0.1:8000/v1")]
pub struct DreamArgs {
    /// The input memory store: a folder of Markdown documents. Omit to start from an empty store.
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,

    /// Transcript files or folders (read recursively). Omit to curate the store alone.
    ///
    /// In a folder: .jsonl, .json, .ndjson and .traj files, and .md files that are aider chat
    /// histories, SpecStory exports or Cline task exports. Hidden entries are skipped, except
    /// aider's .aider.chat.history.md and a project's .specstory/ folder; every other file
    /// found is listed in the report's `sessions_skipped` with the reason. The format is
    /// detected per file.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    sessions: Vec<PathBuf>,

    /// Where to write the draft store: a new or empty folder, not the input store.
    #[arg(long, value_name = "DIR", required_unless_present = "estimate")]
    out: Option<PathBuf>,

    /// Run nothing: print what the dream would read (sessions, events), the work units and
    /// estimated tokens and cost of the --model pass (from [prices] or the built-in list; an
    /// upper bound), and the limits that would refuse it (--json: as JSON). Exit 0 when it
    /// would run, 2 when it would be refused. No model is called; nothing is written.
    #[arg(long)]
    estimate: bool,

    /// Write the JSON report here (otherwise a short summary is printed).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,

    // Help from the limit itself, so the text cannot drift from what is enforced.
    #[arg(long, value_name = "TEXT", conflicts_with = "instructions_file", help = format!(
        "Steer the dream (at most {} characters), e.g. \"focus on tool quirks; ignore one-off \
         debugging notes\". Focus limits which new memories are added; ignore drops matching \
         items, store items included. Directives name kinds (quirks, workflows, preferences, \
         facts), topics (\"anything about billing\"), temporary notes, and whose items \
         (\"individual agents'\" or \"team-wide\"). The report's `instructions` shows how they \
         were read; every item they drop is in the report with its directive.",
        crate::thousands(lucid_core::instructions::MAX_INSTRUCTIONS_CHARS)
    ))]
    instructions: Option<String>,

    /// Read the instructions from a file.
    #[arg(long, value_name = "FILE")]
    instructions_file: Option<PathBuf>,

    /// Refuse the dream when more transcript files than this are given (at least 1).
    #[arg(long, value_name = "N", default_value_t = lucid_core::MAX_DREAM_SESSIONS,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    max_sessions: usize,

    /// Print the JSON report on stdout.
    #[arg(long)]
    json: bool,

    /// Also keep conversation episodes: consecutive turns grouped into short dated passages
    /// with their evidence (conversational memory for assistants that talk with people).
    #[arg(long)]
    episodes: bool,

    /// Transcripts (files or folders) pinned as trusted: everything in them is trusted.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    trusted: Vec<PathBuf>,

    /// Transcripts whose every event is untrusted: nothing in them becomes an instruction or a
    /// preference, and facts need corroboration.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    untrusted: Vec<PathBuf>,

    /// Transcripts that never feed a dream (listed as skipped in the report).
    #[arg(long, value_name = "PATH", num_args = 1..)]
    quarantine: Vec<PathBuf>,

    /// Use only sessions pinned with --trusted; the others are skipped.
    #[arg(long)]
    trusted_only: bool,

    /// A tool whose results are trusted like the agent's own actions (repeatable).
    #[arg(long, value_name = "NAME")]
    trust_tool: Vec<String>,

    /// A TOML config file: `[safety] trusted_tools = [...]`, `secret_patterns = [...]` (extra
    /// regular expressions whose matches are redacted like built-in secrets); `[models.NAME]`
    /// (provider, model, base_url, api_key_env: names --model may use), `[prices]` (USD per
    /// million tokens) and `[llm]` (token_budget, concurrency, timeout_seconds, max_retries).
    #[arg(long, value_name = "FILE", env = "LUCID_CONFIG")]
    config: Option<PathBuf>,

    /// Print each curation stage and its duration on stderr.
    #[arg(long, short)]
    verbose: bool,

    /// Refine the built-in result with a model: `anthropic:<model>` (key from
    /// ANTHROPIC_API_KEY, base URL from ANTHROPIC_BASE_URL), `openai:<model>` (any
    /// OpenAI-compatible server: OpenAI, vLLM, Ollama, llama.cpp, LM Studio; key from
    /// OPENAI_API_KEY, optional), or a name from the config file's [models]. The model only
    /// proposes; every operation is verified before it reaches the draft. Default: builtin.
    #[arg(long, value_name = "MODEL")]
    model: Option<String>,

    /// The model server's base URL, e.g. http://127.0.0.1:11434/v1 (Ollama).
    #[arg(long, value_name = "URL", requires = "model")]
    base_url: Option<String>,

    /// Stop sending model requests once this many tokens would be spent (estimated before
    /// sending: request characters / 4 plus the output limit); the rest keeps the built-in
    /// decision and the report says how many.
    #[arg(long, value_name = "N", requires = "model")]
    token_budget: Option<u64>,

    /// Model requests in flight at once (default 4, or [llm] concurrency in the config file).
    #[arg(long, value_name = "N", requires = "model",
          value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: Option<u16>,

    /// Neither read nor write the model response cache (LUCID_CACHE_DIR, by default
    /// $XDG_CACHE_HOME/lucid or ~/.cache/lucid). With the cache, re-running a dream costs no
    /// tokens and a dream over mostly known sessions pays only for what is new.
    #[arg(long, requires = "model")]
    no_cache: bool,

    /// The longest the whole model pass may take, in seconds (default 600, or [llm]
    /// deadline_seconds); units not answered by then keep the built-in decision and the report
    /// says the pass timed out. Each request also times out (default 60 s, [llm]
    /// timeout_seconds).
    #[arg(long, value_name = "SECONDS", requires = "model",
          value_parser = clap::value_parser!(u64).range(1..))]
    model_timeout: Option<u64>,

    /// Fail the dream (exit 1, no draft, a failed report) when the model never answered,
    /// instead of keeping the built-in result and saying so in the report.
    #[arg(long, requires = "model")]
    require_model: bool,
}

/// The model pass of a dream, when `--model` names one.
fn model_curator(
    args: &DreamArgs,
    safety: &lucid_core::SafetyPolicy,
    needs_key: bool,
) -> Result<Option<lucid_llm::ModelCurator>, String> {
    let Some(selection) = &args.model else {
        return Ok(None);
    };
    let config = crate::config::llm_config(args.config.as_deref()).map_err(|e| format!("{e:#}"))?;
    let env = |name: &str| std::env::var(name).ok();
    let base_url = args.base_url.as_deref();
    let resolved = match lucid_llm::resolve(selection, &config, base_url, true, &env) {
        Err(lucid_llm::ConfigError::MissingKey { variable, .. }) if !needs_key => {
            // An estimate sends nothing: a placeholder stands in for the missing key.
            let placeholder = |name: &str| {
                (name == variable)
                    .then(|| "unused-by-an-estimate".to_string())
                    .or_else(|| env(name))
            };
            lucid_llm::resolve(selection, &config, base_url, true, &placeholder)
        }
        other => other,
    };
    let Some(endpoint) = resolved.map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let mut settings = lucid_llm::Settings::from_config(&config)
        .with_command_line_limits(args.token_budget, args.concurrency);
    if let Some(seconds) = args.model_timeout {
        settings.deadline = std::time::Duration::from_secs(seconds);
    }
    Ok(Some(lucid_llm::ModelCurator::new(
        endpoint,
        settings.with_safety_policy(safety.clone()),
        lucid_llm::command_line_cache(args.no_cache, &env),
    )))
}

/// Prints each stage with the time the previous one took.
struct StageTimer {
    last: Option<(lucid_core::Stage, Instant)>,
    verbose: bool,
}

impl lucid_core::DreamObserver for StageTimer {
    fn stage(&mut self, stage: lucid_core::Stage, detail: &str) {
        let now = Instant::now();
        if self.verbose {
            if let Some((previous, started)) = self.last {
                eprintln!(
                    "  {:<24} {:>8.3}s",
                    previous.as_str(),
                    (now - started).as_secs_f64()
                );
            }
            eprintln!("stage {} ({detail})", stage.as_str());
        }
        self.last = Some((stage, now));
    }
}

/// A refusal: the message is printed and the exit code is 2; nothing is written.
fn refuse(message: impl std::fmt::Display) -> anyhow::Result<u8> {
    eprintln!("error: {message}");
    Ok(EXIT_REFUSED)
}

pub fn run(args: DreamArgs) -> anyhow::Result<u8> {
    if args.estimate {
        return estimate(&args);
    }
    let Some(out) = args.out.clone() else {
        return refuse("--out is required: the folder the draft goes to");
    };
    let started = Instant::now();
    // Stage one: validate everything before any work, so a refused dream writes nothing.
    let instructions = match read_instructions(&args) {
        Ok(text) => text,
        Err(message) => return refuse(message),
    };
    if let Some(text) = &instructions {
        if text.trim().is_empty() {
            return refuse("the instructions are empty; leave out --instructions to dream without");
        }
        if let Err(error) = lucid_core::curate::validate_instructions(text) {
            return refuse(error);
        }
    }
    let safety = match crate::config::safety_policy(args.config.as_deref(), &args.trust_tool) {
        Ok(policy) => policy,
        Err(error) => return refuse(format_args!("{error:#}")),
    };
    for path in args
        .trusted
        .iter()
        .chain(&args.untrusted)
        .chain(&args.quarantine)
    {
        if !path.exists() {
            return refuse(format_args!("{} does not exist", path.display()));
        }
    }
    let model = match model_curator(&args, &safety, true) {
        Ok(model) => model,
        Err(error) => return refuse(error),
    };
    let trust_rules = lucid_fs::TrustRules {
        trusted: args.trusted.clone(),
        untrusted: args.untrusted.clone(),
        quarantined: args.quarantine.clone(),
        trusted_only: args.trusted_only,
    };
    let store = match &args.store {
        Some(dir) => match lucid_fs::read_store(dir) {
            Ok(store) => store,
            Err(error) => return refuse(error),
        },
        None => Store::default(),
    };
    if let Err(error) = lucid_fs::check_output(&out, args.store.as_deref()) {
        return refuse(error);
    }
    let (files, other_files) = match lucid_fs::find_transcripts_and_others(&args.sessions) {
        Ok(found) => found,
        Err(error) => return refuse(error),
    };
    if files.len() > args.max_sessions {
        return refuse(format_args!(
            "{} transcript files given; the limit is {} sessions per dream (--max-sessions)",
            files.len(),
            args.max_sessions
        ));
    }
    if !args.sessions.is_empty() && files.is_empty() {
        return refuse(format!(
            "no transcript files found in the --sessions paths (looked for {})",
            lucid_fs::TRANSCRIPTS_LOOKED_FOR
        ));
    }
    if let Some(report) = &args.report
        && let Err(error) =
            lucid_fs::check_report(report, args.store.as_deref(), &args.sessions, &files, &out)
    {
        return refuse(error);
    }

    // Ctrl-C: the input store is only ever read; remove a half-written draft and stop.
    let staging = lucid_fs::staging_path(&out);
    let interrupted = std::sync::Arc::new(AtomicBool::new(false));
    {
        let interrupted = interrupted.clone();
        let staging = staging.clone();
        let _ = ctrlc::set_handler(move || {
            interrupted.store(true, Ordering::SeqCst);
            let _ = std::fs::remove_dir_all(&staging);
            eprintln!("\ninterrupted: nothing written");
            std::process::exit(130);
        });
    }

    // Stage two: read and digest the sessions (in parallel), then curate.
    let progress = progress_bar(files.len() as u64);
    let read_started = Instant::now();
    let digest_options = lucid_core::DigestOptions {
        episodes: args.episodes,
        safety: safety.clone(),
        ..lucid_core::DigestOptions::default()
    };
    let mut digested =
        lucid_fs::digest_transcripts(&files, &digest_options, &trust_rules, &|done| {
            if read_started.elapsed() > Duration::from_millis(300)
                && std::io::stderr().is_terminal()
            {
                if progress.is_hidden() {
                    progress.set_draw_target(ProgressDrawTarget::stderr());
                }
                progress.set_position(done as u64);
            }
        });
    progress.finish_and_clear();
    digested.keep_newest(args.max_sessions);
    digested.skipped.extend(other_files);
    let read_time = read_started.elapsed();

    if !args.sessions.is_empty() && digested.digests.is_empty() {
        let reasons: Vec<String> = digested
            .skipped
            .iter()
            .map(|s| format!("{}: {}", s.path, s.reason))
            .collect();
        let report = Report::failed(
            "builtin",
            format!("no usable session among {} file(s)", files.len()),
            Stats {
                sessions_skipped: digested.skipped.clone(),
                ..Stats::default()
            },
        );
        write_report(&args, &report)?;
        eprintln!("error: no usable session; every transcript was skipped:");
        for reason in reasons {
            eprintln!("  {reason}");
        }
        return Ok(EXIT_FAILED);
    }

    let events: usize = digested.digests.iter().map(|d| d.events).sum();
    let curate_started = Instant::now();
    let options = DreamOptions {
        instructions,
        safety,
        ..DreamOptions::default()
    };
    let mut timer = StageTimer {
        last: None,
        verbose: args.verbose,
    };
    // Model progress goes to stderr: a silent wait on a slow server looks like a hang.
    let narrate = |line: &str| eprintln!("model: {line}");
    let run = match lucid_llm::run_dream(
        &store,
        digested.digests,
        digested.skipped,
        &options,
        model.as_ref(),
        &mut timer,
        &lucid_llm::CancelFlag::new(),
        &narrate,
    ) {
        Ok(run) => run,
        Err(lucid_llm::RunError::Canceled) => return Ok(130),
        Err(lucid_llm::RunError::Refused(error)) => return refuse(error),
    };
    if let Some(pass) = &run.model {
        print_model_pass(pass, &run.output.report);
        if let (true, lucid_llm::ModelStatus::Failed { reason }) =
            (args.require_model, &pass.status)
        {
            // The dream the user asked for needed the model: fail it, writing only the report.
            let mut report = run.output.report.clone();
            report.status = DreamStatus::Failed;
            report.error = Some(format!("the model never answered: {reason}"));
            write_report(&args, &report)?;
            eprintln!(
                "error: the model never answered ({reason}); --require-model: no draft written"
            );
            return Ok(EXIT_FAILED);
        }
    }
    let output = run.output;
    let curate_time = curate_started.elapsed();
    if let (true, Some((stage, started))) = (args.verbose, timer.last) {
        eprintln!(
            "  {:<24} {:>8.3}s",
            stage.as_str(),
            started.elapsed().as_secs_f64()
        );
    }
    if interrupted.load(Ordering::SeqCst) {
        return Ok(130);
    }
    lucid_fs::write_store(&out, &output.draft)
        .with_context(|| format!("writing the draft to {}", out.display()))?;
    write_report(&args, &output.report)?;
    // Instructions the rules could not read would otherwise change nothing without a word.
    if output
        .report
        .instructions
        .as_ref()
        .is_some_and(|summary| summary.focus.is_empty() && summary.ignore.is_empty())
    {
        eprintln!(
            "warning: the built-in curator found no focus or ignore directive in the \
             instructions, so nothing was kept or dropped because of them{}; word them as \
             \"focus on …\" / \"only keep …\" or \"ignore …\" / \"leave out …\"",
            if model.is_some() {
                " (the model still read them)"
            } else {
                ""
            }
        );
    }

    if !args.json && args.report.is_none() {
        print_summary(&output.report, &args);
    } else if !args.json {
        println!(
            "draft written to {} ({} documents, {} items); report in {}",
            out.display(),
            output.report.stats.output_documents,
            output.report.stats.output_items,
            args.report
                .as_ref()
                .map_or(String::new(), |p| p.display().to_string())
        );
    }
    eprintln!(
        "dreamed {} ({}, {:.1} MB) in {:.2}s (read {:.2}s, curate {:.2}s){}",
        crate::client::plural(output.report.stats.sessions_read, "session"),
        crate::client::plural(events, "event"),
        digested.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        read_time.as_secs_f64(),
        curate_time.as_secs_f64(),
        crate::peak_memory_bytes()
            .map(|b| format!(", peak memory {:.1} MiB", b as f64 / 1_048_576.0))
            .unwrap_or_default()
    );
    Ok(if output.report.status == DreamStatus::Completed {
        0
    } else {
        EXIT_FAILED
    })
}

/// One line on stderr about the model pass: units, tokens, cost.
fn print_model_pass(pass: &lucid_llm::ModelPass, report: &Report) {
    let stats = &pass.stats;
    let usage = &report.usage;
    eprintln!(
        "{}: {} ({} from the cache, {} sent, {} over budget, {} failed); {} \
         operations applied, {} rejected; tokens: {} in, {} out, {} cache read, {} cache \
         write{}",
        report.curator,
        crate::client::plural(stats.units, "work unit"),
        stats.cached,
        stats.sent,
        stats.over_budget,
        stats.failed,
        stats.accepted,
        stats.rejected,
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_read_input_tokens,
        usage.cache_creation_input_tokens,
        stats
            .cost_usd
            .map(|cost| format!("; estimated cost ${cost:.4}"))
            .unwrap_or_default()
    );
}

fn progress_bar(len: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} reading sessions {bar:30} {pos}/{len} {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

fn write_report(args: &DreamArgs, report: &Report) -> anyhow::Result<()> {
    let mut json = serde_json::to_string_pretty(report).context("serialising the report")?;
    json.push('\n');
    if let Some(path) = &args.report {
        lucid_fs::write_file_atomically(path, json.as_bytes())
            .with_context(|| format!("writing the report to {}", path.display()))?;
    }
    if args.json {
        print!("{json}");
    }
    Ok(())
}

fn print_summary(report: &Report, args: &DreamArgs) {
    let stats = &report.stats;
    println!(
        "dream {}",
        if report.status == DreamStatus::Completed {
            "completed"
        } else {
            "failed"
        }
    );
    println!(
        "  sessions: {} read, {} skipped; store items: {} in, {} out",
        stats.sessions_read,
        stats.sessions_skipped.len(),
        stats.input_items,
        stats.output_items
    );
    for skipped in &stats.sessions_skipped {
        println!("    skipped {}: {}", skipped.path, skipped.reason);
    }
    let by = |map: &std::collections::BTreeMap<String, usize>| {
        map.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for document in &stats.uncurated_documents {
        println!(
            "    not curated, copied {}: {}",
            if document.secrets_redacted == 0 {
                "as is".to_string()
            } else {
                format!(
                    "with {} secret{} redacted",
                    document.secrets_redacted,
                    if document.secrets_redacted == 1 {
                        ""
                    } else {
                        "s"
                    }
                )
            },
            document.path
        );
    }
    if stats.changes_by_op.is_empty() {
        println!("  no changes");
    } else {
        println!("  changes by op: {}", by(&stats.changes_by_op));
        println!("  changes by kind: {}", by(&stats.changes_by_kind));
    }
    // Name what was flagged: a count alone sends the reviewer to the JSON to learn whether it
    // was a pasted key or an injected instruction.
    let flags: Vec<&lucid_core::report::Change> = report
        .changes
        .iter()
        .filter(|c| c.op == lucid_core::report::Op::Flag)
        .collect();
    if !flags.is_empty() {
        println!(
            "  flagged ({}, left out of the draft):",
            crate::client::plural(flags.len(), "item")
        );
        for flag in flags {
            let text: String = flag.text.replace('\n', " ").chars().take(100).collect();
            println!("    {}: {text}", flag.reason);
        }
    }
    if !report.skipped.is_empty() {
        println!(
            "  candidates skipped: {} (each with its reason in the report's `skipped`)",
            report.skipped.len()
        );
    }
    if !report.rejected.is_empty() {
        println!(
            "  model operations rejected: {} (see the report)",
            report.rejected.len()
        );
    }
    for note in &report.notes {
        println!("  note: {note}");
    }
    if let Some(out) = &args.out {
        println!("  draft: {}", out.display());
    }
}

/// The instructions from `--instructions` or `--instructions-file`, if any; the message when the
/// file cannot be read. One reader for the dream and its estimate.
fn read_instructions(args: &DreamArgs) -> Result<Option<String>, String> {
    match (&args.instructions, &args.instructions_file) {
        (Some(text), _) => Ok(Some(text.clone())),
        // The line break an editor ends a file with is no part of the instructions (it would
        // count against the 4,096-character limit).
        (None, Some(file)) => std::fs::read_to_string(file)
            .map(|text| Some(text.trim_end_matches(['\n', '\r']).to_string()))
            .map_err(|error| format!("cannot read instructions file {}: {error}", file.display())),
        (None, None) => Ok(None),
    }
}

/// `--estimate`: what the dream would read and cost, from `lucid_llm::estimate_dream` (the
/// service's dry run calls the same function). Nothing is written and no model is called; the
/// limits are reported, not enforced.
fn estimate(args: &DreamArgs) -> anyhow::Result<u8> {
    let mut refusals = Vec::new();
    let instructions = match read_instructions(args) {
        Ok(text) => text,
        Err(message) => return refuse(message),
    };
    let safety = match crate::config::safety_policy(args.config.as_deref(), &args.trust_tool) {
        Ok(policy) => policy,
        Err(error) => return refuse(format_args!("{error:#}")),
    };
    // An estimate sends nothing, so it needs no API key.
    let model = match model_curator(args, &safety, false) {
        Ok(model) => model,
        Err(error) => return refuse(error),
    };
    let store = match &args.store {
        Some(dir) => match lucid_fs::read_store(dir) {
            Ok(store) => store,
            Err(error) => return refuse(error),
        },
        None => Store::default(),
    };
    let (files, other_files) = match lucid_fs::find_transcripts_and_others(&args.sessions) {
        Ok(found) => found,
        Err(error) => return refuse(error),
    };
    if let Some(out) = &args.out
        && let Err(error) = lucid_fs::check_output(out, args.store.as_deref())
    {
        refusals.push(lucid_llm::Refusal {
            limit: "out".into(),
            message: error.to_string(),
        });
    }
    let trust_rules = lucid_fs::TrustRules {
        trusted: args.trusted.clone(),
        untrusted: args.untrusted.clone(),
        quarantined: args.quarantine.clone(),
        trusted_only: args.trusted_only,
    };
    let digest_options = lucid_core::DigestOptions {
        episodes: args.episodes,
        safety: safety.clone(),
        ..lucid_core::DigestOptions::default()
    };
    let mut digested = lucid_fs::digest_transcripts(&files, &digest_options, &trust_rules, &|_| {});
    digested.keep_newest(args.max_sessions);
    digested.skipped.extend(other_files);
    let options = DreamOptions {
        instructions,
        safety,
        ..DreamOptions::default()
    };
    let estimate = lucid_llm::estimate_dream(lucid_llm::EstimateInput {
        store: &store,
        digests: digested.digests,
        skipped: digested.skipped,
        options: &options,
        model: model.as_ref(),
        sessions_requested: files.len(),
        max_sessions: args.max_sessions,
        already_dreamed: None,
        refusals,
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&estimate)?);
    } else {
        print_estimate(&estimate);
    }
    Ok(if estimate.refused() { EXIT_REFUSED } else { 0 })
}

fn print_estimate(estimate: &lucid_llm::DreamEstimate) {
    println!("estimate (nothing was run):");
    println!(
        "  sessions: {} found, {} would be read, {} skipped",
        estimate.sessions,
        estimate.sessions_read,
        estimate.sessions_skipped.len()
    );
    for skipped in &estimate.sessions_skipped {
        println!("    skipped {}: {}", skipped.path, skipped.reason);
    }
    println!(
        "  already dreamed: {}",
        estimate.sessions_already_dreamed.map_or_else(
            || "not recorded for folder dreams".to_string(),
            |n| n.to_string()
        )
    );
    println!("  events: {}", estimate.events);
    println!("  store: {} documents", estimate.store_documents);
    println!("  curator: {}", estimate.curator);
    if let Some(pass) = &estimate.model_pass {
        println!(
            "  model pass: {} work units ({} answered by the cache, {} over the token budget), \
             {} requests",
            pass.work_units, pass.cached_units, pass.over_budget_units, pass.requests
        );
        println!(
            "  tokens: ~{} input, at most {} output",
            pass.input_tokens, pass.output_tokens
        );
    }
    match (estimate.estimated_cost_usd, &estimate.model_pass) {
        (
            Some(cost),
            Some(lucid_llm::ModelEstimate {
                price_per_million: Some((input, output)),
                ..
            }),
        ) => println!(
            "  estimated cost: at most ${cost:.4} (${input:.2} input, ${output:.2} output per \
             million tokens)"
        ),
        (Some(cost), _) => println!("  estimated cost: ${cost:.4}"),
        (None, None) => println!(
            "  estimated cost: not estimated (the built-in pass would be refused, so the \
             model's work is not planned)"
        ),
        (None, Some(_)) => println!(
            "  estimated cost: unknown (no price for {}: add [prices.\"…\"] to the config file)",
            estimate.curator
        ),
    }
    if estimate.refusals.is_empty() {
        println!("  would run: yes");
    } else {
        println!("  would be refused:");
        for refusal in &estimate.refusals {
            println!("    {}: {}", refusal.limit, refusal.message);
        }
    }
}
