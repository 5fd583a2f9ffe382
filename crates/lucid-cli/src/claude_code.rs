//! `lucid claude-code`: dream a Claude Code project's auto memory in place, review, promote,
//! roll back, and the SessionEnd hook that runs it. The layout work lives in `lucid-claude-code`;
//! the dream is the same engine as `lucid dream`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use lucid_claude_code::{
    DraftSummary, DreamLock, IndexLimits, Project, State, build_draft, read_memory, swap,
};
use lucid_core::report::{Evidence, Op, Report};
use serde::{Deserialize, Serialize};

use crate::{EXIT_FAILED, EXIT_REFUSED};

/// Dream a Claude Code project's auto memory into a draft beside it; review, promote, roll back.
///
/// Claude Code keeps a project's transcripts in <config>/projects/<key>/*.jsonl and its auto
/// memory in <config>/projects/<key>/memory/ (MEMORY.md, an index of which only the first 200
/// lines or 25 KB are loaded, and topic files with name/description/type front matter). The
/// config folder is --config-dir, else $CLAUDE_CONFIG_DIR, else ~/.claude; the key is the
/// project's absolute path with '/' and '.' replaced by '-'.
///
/// `dream` writes memory.draft/ in the same layout (its MEMORY.md within 200 lines and 25,000
/// bytes: what does not fit is linked from more-memories.md and listed in the report) and the
/// report memory.lucid/dream.json. `diff` shows the draft against the live folder, `promote`
/// swaps it in (the live folder kept as memory.prev/), `rollback` swaps back. Nothing under the
/// config folder other than the project's memory* folders is ever written.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    lucid claude-code dream                # the project in the current folder\n  \
    lucid claude-code dream ~/src/shop --all\n  \
    lucid claude-code diff\n  \
    lucid claude-code promote\n  \
    lucid claude-code rollback\n\n\
    SessionEnd hook (.claude/settings.json): see README, \"Claude Code\".")]
pub struct ClaudeCodeArgs {
    #[command(subcommand)]
    command: ClaudeCodeCommand,
}

#[derive(Debug, Subcommand)]
enum ClaudeCodeCommand {
    /// Dream the project's new transcripts and its memory folder into memory.draft/.
    Dream(DreamArgs),
    /// Show what the draft changes against the live memory folder, with evidence.
    Diff(ProjectArgs),
    /// Swap the draft in (rename); the live folder is kept as memory.prev/. With --accept or
    /// --reject (change ids from `diff`), the draft is first rebuilt from the live memory plus
    /// the accepted changes only.
    Promote(PromoteArgs),
    /// Swap the live folder and memory.prev/ back.
    Rollback(ProjectArgs),
    /// The SessionEnd hook: reads the hook's JSON on stdin and dreams when enough new sessions
    /// and hours have passed since the last dream. Never fails the session (exit 0).
    Hook(HookArgs),
}

#[derive(Debug, Args)]
struct ProjectArgs {
    /// The project's folder (default: the current folder).
    #[arg(value_name = "PROJECT_DIR")]
    project: Option<PathBuf>,

    /// Claude Code's config folder (default: $CLAUDE_CONFIG_DIR, else ~/.claude).
    #[arg(long, value_name = "DIR")]
    config_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct DreamArgs {
    #[command(flatten)]
    project: ProjectArgs,

    /// Re-read every transcript, not only those no promoted dream has read (transcripts of a
    /// draft that was not promoted are always read again: the new draft replaces it).
    #[arg(long)]
    all: bool,

    /// Read at most this many transcripts, newest first (the rest wait for the next dream).
    #[arg(long, value_name = "N", default_value_t = lucid_core::MAX_DREAM_SESSIONS,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    max_sessions: usize,

    #[arg(long, value_name = "TEXT", help = format!(
        "Steer the dream (at most {} characters), as for `lucid dream`.",
        crate::thousands(lucid_core::instructions::MAX_INSTRUCTIONS_CHARS)
    ))]
    instructions: Option<String>,

    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct PromoteArgs {
    #[command(flatten)]
    project: ProjectArgs,

    /// Promote only these changes (ids from `lucid claude-code diff`, comma-separated).
    #[arg(
        long,
        value_name = "ID",
        value_delimiter = ',',
        conflicts_with = "reject"
    )]
    accept: Vec<String>,

    /// Promote every change but these and the changes built on them (comma-separated ids).
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    reject: Vec<String>,
}

#[derive(Debug, Args)]
struct HookArgs {
    /// Dream only when at least this many sessions no dream has read have accumulated.
    #[arg(long, value_name = "N", default_value_t = 5)]
    min_sessions: usize,

    /// Dream only when at least this many hours have passed since the last dream.
    #[arg(long, value_name = "HOURS", default_value_t = 24.0)]
    min_hours: f64,

    /// Promote the draft right after the dream (only when you opted in: nobody reviews it).
    #[arg(long)]
    auto_promote: bool,

    /// Claude Code's config folder (default: $CLAUDE_CONFIG_DIR, else ~/.claude).
    #[arg(long, value_name = "DIR")]
    config_dir: Option<PathBuf>,
}

/// `memory.lucid/dream.json`: the engine's report plus what the adapter did.
#[derive(Debug, Serialize, Deserialize)]
struct DreamFile {
    claude_code: AdapterReport,
    report: Report,
}

#[derive(Debug, Serialize, Deserialize)]
struct AdapterReport {
    project: String,
    draft: String,
    dreamed_at: String,
    /// Transcript files this dream read.
    transcripts_read: Vec<String>,
    /// New transcripts left for a later dream (over --max-sessions).
    transcripts_left: usize,
    #[serde(flatten)]
    draft_summary: DraftSummary,
}

pub fn run(args: ClaudeCodeArgs) -> anyhow::Result<u8> {
    match args.command {
        ClaudeCodeCommand::Dream(args) => dream(&args),
        ClaudeCodeCommand::Diff(args) => diff(&args),
        ClaudeCodeCommand::Promote(args) => promote(&args),
        ClaudeCodeCommand::Rollback(args) => rollback(&args),
        ClaudeCodeCommand::Hook(args) => Ok(hook(&args)),
    }
}

fn locate(project: Option<&Path>, config_dir: Option<&Path>) -> anyhow::Result<Project> {
    let env = |name: &str| std::env::var(name).ok();
    let config = lucid_claude_code::project::config_dir(config_dir, &env)?;
    let dir = match project {
        Some(dir) => dir.to_path_buf(),
        None => std::env::current_dir().context("reading the current folder")?,
    };
    Ok(Project::locate(&dir, &config)?)
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn dream(args: &DreamArgs) -> anyhow::Result<u8> {
    if let Some(text) = &args.instructions {
        if text.trim().is_empty() {
            eprintln!("error: the instructions are empty; leave out --instructions");
            return Ok(EXIT_REFUSED);
        }
        if let Err(error) = lucid_core::curate::validate_instructions(text) {
            eprintln!("error: {error}");
            return Ok(EXIT_REFUSED);
        }
    }
    let project = match locate(
        args.project.project.as_deref(),
        args.project.config_dir.as_deref(),
    ) {
        Ok(project) => project,
        Err(error) => {
            eprintln!("error: {error:#}");
            return Ok(EXIT_REFUSED);
        }
    };
    match run_dream(
        &project,
        args.all,
        args.max_sessions,
        args.instructions.clone(),
    )? {
        Some(outcome) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&outcome)?);
            } else {
                print_dream(&project, &outcome);
            }
            Ok(
                if outcome.report.status == lucid_core::DreamStatus::Completed {
                    0
                } else {
                    EXIT_FAILED
                },
            )
        }
        None => Ok(EXIT_FAILED),
    }
}

/// Runs one dream of `project` under its lock; `None` when it could not run (said on stderr).
fn run_dream(
    project: &Project,
    all: bool,
    max_sessions: usize,
    instructions: Option<String>,
) -> anyhow::Result<Option<DreamFile>> {
    let _lock = DreamLock::acquire(&project.lucid_dir())?;
    let mut state = State::load(&project.lucid_dir())?;
    let transcripts = project.transcripts()?;
    let new: Vec<_> = transcripts
        .iter()
        .filter(|t| all || !state.is_dreamed(t))
        .collect();
    let chosen: Vec<_> = new.iter().take(max_sessions).copied().collect();
    let left = new.len() - chosen.len();
    let live = read_memory(&project.memory_dir())?;
    let store = live.to_store();
    if chosen.is_empty() && store.documents.is_empty() {
        eprintln!(
            "nothing to dream: no transcript that no dream has read (use --all to re-read) and \
             no memory in {}",
            project.memory_dir().display()
        );
        return Ok(None);
    }
    let safety = crate::config::safety_policy(None, &[])?;
    let files: Vec<PathBuf> = chosen.iter().map(|t| t.path.clone()).collect();
    let digest_options = lucid_core::DigestOptions {
        safety: safety.clone(),
        ..lucid_core::DigestOptions::default()
    };
    let digested = lucid_fs::digest_transcripts(
        &files,
        &digest_options,
        &lucid_fs::TrustRules::default(),
        &|_| {},
    );
    let sessions: BTreeMap<String, String> = digested
        .digests
        .iter()
        .map(|d| (d.session.clone(), d.source.clone()))
        .collect();
    let options = lucid_core::DreamOptions {
        instructions,
        safety,
        ..lucid_core::DreamOptions::default()
    };
    let run = match lucid_llm::run_dream(
        &store,
        digested.digests,
        digested.skipped,
        &options,
        None,
        &mut lucid_core::NoObserver,
        &lucid_llm::CancelFlag::new(),
        &|_| {},
    ) {
        Ok(run) => run,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(None);
        }
    };
    let draft = build_draft(
        &live,
        &run.output,
        &project.instruction_texts(),
        sessions,
        IndexLimits::default(),
    );
    swap::write_draft(&draft, &project.draft_dir())?;
    state.set_pending(chosen.iter().copied());
    let dreamed_at = now();
    state.last_dream_at = Some(dreamed_at.clone());
    let outcome = DreamFile {
        claude_code: AdapterReport {
            project: project.dir.display().to_string(),
            draft: project.draft_dir().display().to_string(),
            dreamed_at,
            transcripts_read: chosen.iter().map(|t| t.name.clone()).collect(),
            transcripts_left: left,
            draft_summary: draft.summary,
        },
        report: run.output.report,
    };
    let json = serde_json::to_string_pretty(&outcome)?;
    lucid_claude_code::state::write_atomically(
        &project.report_path(),
        format!("{json}\n").as_bytes(),
    )?;
    state.save(&project.lucid_dir())?;
    Ok(Some(outcome))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn print_dream(project: &Project, outcome: &DreamFile) {
    let adapter = &outcome.claude_code;
    let summary = &adapter.draft_summary;
    println!(
        "dreamed {} ({} left for the next dream) and {} of memory",
        plural(adapter.transcripts_read.len(), "transcript", "transcripts"),
        adapter.transcripts_left,
        plural(outcome.report.stats.input_items, "item", "items")
    );
    println!(
        "  topic files: {} added, {} changed, {} removed, {} unchanged",
        summary.files_added.len(),
        summary.files_changed.len(),
        summary.files_removed.len(),
        summary.files_unchanged.len()
    );
    println!(
        "  MEMORY.md: {} lines, {} bytes (Claude Code loads 200 lines / 25 KB){}",
        summary.index_lines,
        summary.index_bytes,
        if summary.not_indexed.is_empty() {
            String::new()
        } else {
            format!(
                "; {} linked from more-memories.md",
                plural(summary.not_indexed.len(), "file", "files")
            )
        }
    );
    if !summary.repeats_claude_md.is_empty() {
        println!(
            "  not added, already in CLAUDE.md: {}",
            summary.repeats_claude_md.len()
        );
    }
    if !summary.dates_made_absolute.is_empty() {
        println!(
            "  relative dates made absolute: {}",
            summary.dates_made_absolute.len()
        );
    }
    println!("  draft: {}", project.draft_dir().display());
    println!("  report: {}", project.report_path().display());
    println!("next: lucid claude-code diff, then lucid claude-code promote (or delete the draft)");
}

fn load_dream_file(project: &Project) -> anyhow::Result<DreamFile> {
    let path = project.report_path();
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "no dream report at {} (run `lucid claude-code dream` first)",
            path.display()
        )
    })?;
    serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))
}

fn diff(args: &ProjectArgs) -> anyhow::Result<u8> {
    let project = locate(args.project.as_deref(), args.config_dir.as_deref())?;
    if !project.draft_dir().is_dir() {
        eprintln!(
            "error: no draft at {} (run `lucid claude-code dream` first)",
            project.draft_dir().display()
        );
        return Ok(EXIT_FAILED);
    }
    let dream = load_dream_file(&project)?;
    let summary = &dream.claude_code.draft_summary;
    println!(
        "{} against {} (dreamed {})",
        project.draft_dir().display(),
        project.memory_dir().display(),
        dream.claude_code.dreamed_at
    );
    for (label, files) in [
        ("added", &summary.files_added),
        ("changed", &summary.files_changed),
        ("removed", &summary.files_removed),
    ] {
        for file in files {
            println!("  {label:<9} {file}");
        }
    }
    println!(
        "  unchanged {}",
        plural(summary.files_unchanged.len(), "file", "files")
    );
    let safety = crate::config::safety_policy(None, &[])?;
    let mut sessions = SessionCache::default();
    let shown = dream
        .report
        .changes
        .iter()
        .filter(|c| !matches!(c.op, Op::Keep));
    let mut any = false;
    for change in shown {
        if !any {
            println!("changes:");
            any = true;
        }
        let op = format!("{:?}", change.op).to_lowercase();
        println!(
            "  {op:<9} [{}] {}  ({})",
            change.kind.as_str(),
            change.text,
            change.id
        );
        for old in &change.replaces {
            let how = if change.superseded.contains(old) {
                "was"
            } else {
                "merged"
            };
            println!("            {how}: {old}");
        }
        println!("            why: {}", change.reason);
        for evidence in change.evidence.iter().take(3) {
            println!(
                "            evidence: {}",
                sessions.excerpt(evidence, &summary.sessions, &safety)
            );
        }
    }
    if !any {
        println!("no changes to the memory's facts");
    }
    for fix in &summary.dates_made_absolute {
        println!(
            "  date made absolute in {}: {} → {}",
            fix.file, fix.before, fix.after
        );
    }
    for repeated in &summary.repeats_claude_md {
        println!("  not added (in CLAUDE.md): {}", repeated.text);
    }
    println!(
        "MEMORY.md: {} lines, {} bytes; not indexed: {}",
        summary.index_lines,
        summary.index_bytes,
        summary.not_indexed.len()
    );
    Ok(0)
}

/// Transcripts loaded once per diff, to quote the events evidence points at.
#[derive(Default)]
struct SessionCache {
    loaded: BTreeMap<String, Option<lucid_core::Session>>,
}

impl SessionCache {
    fn excerpt(
        &mut self,
        evidence: &Evidence,
        files: &BTreeMap<String, String>,
        safety: &lucid_core::SafetyPolicy,
    ) -> String {
        match evidence {
            Evidence::Store { store_path } => format!("memory {store_path}"),
            Evidence::Event {
                session, event, at, ..
            } => {
                let head = format!(
                    "session {session} event {event}{}",
                    at.as_ref().map(|at| format!(" ({at})")).unwrap_or_default()
                );
                let Some(file) = files.get(session) else {
                    return head;
                };
                let loaded = self
                    .loaded
                    .entry(file.clone())
                    .or_insert_with(|| lucid_fs::load_session(Path::new(file)).ok());
                let Some(found) = loaded
                    .as_ref()
                    .and_then(|s| s.events.iter().find(|e| e.index == *event))
                else {
                    return head;
                };
                let text = lucid_claude_code::memory::one_line(&found.text());
                let redacted = safety.redact(&text).text.into_owned();
                let short: String = redacted.chars().take(160).collect();
                let ellipsis = if redacted.chars().count() > 160 {
                    "…"
                } else {
                    ""
                };
                format!("{head} {}: \"{short}{ellipsis}\"", found.channel.as_str())
            }
        }
    }
}

/// Rebuilds the draft from the live memory and the changes the reviewer kept.
fn rebuild_selected_draft(project: &Project, args: &PromoteArgs) -> anyhow::Result<Option<u8>> {
    use lucid_core::selection::{Selection, apply_selection};
    let selection = Selection::from_lists(&args.accept, &args.reject);
    let dream = load_dream_file(project)?;
    let live = read_memory(&project.memory_dir())?;
    let safety = crate::config::safety_policy(None, &[])?;
    let selected = match apply_selection(&live.to_store(), &dream.report, &selection, &safety) {
        Ok(selected) => selected,
        Err(error) => {
            eprintln!("error: {error}; nothing promoted");
            return Ok(Some(EXIT_REFUSED));
        }
    };
    for (dependent, parent) in &selected.rejected_dependents {
        println!("also rejected {dependent}: it builds on {parent}");
    }
    let mut report = dream.report;
    report
        .changes
        .retain(|c| !selected.rejected.contains(&c.id));
    report.count_changes();
    let output = lucid_core::DreamOutput {
        draft: selected.store,
        report,
    };
    let draft = build_draft(
        &live,
        &output,
        &project.instruction_texts(),
        dream.claude_code.draft_summary.sessions.clone(),
        IndexLimits::default(),
    );
    swap::write_draft(&draft, &project.draft_dir())?;
    println!(
        "kept {} change(s), rejected {}",
        selected.accepted.len(),
        selected.rejected.len()
    );
    Ok(None)
}

fn promote(args: &PromoteArgs) -> anyhow::Result<u8> {
    let project = locate(
        args.project.project.as_deref(),
        args.project.config_dir.as_deref(),
    )?;
    let _lock = DreamLock::acquire(&project.lucid_dir())?;
    if (!args.accept.is_empty() || !args.reject.is_empty())
        && let Some(code) = rebuild_selected_draft(&project, args)?
    {
        return Ok(code);
    }
    match swap::promote(
        &project.memory_dir(),
        &project.draft_dir(),
        &project.previous_dir(),
    ) {
        Ok(kept) => {
            let mut state = State::load(&project.lucid_dir())?;
            state.promote_pending();
            state.last_promote_at = Some(now());
            state.save(&project.lucid_dir())?;
            println!("promoted: {} is the draft", project.memory_dir().display());
            if let Some(kept) = kept {
                println!(
                    "  the previous memory is kept in {} (lucid claude-code rollback)",
                    kept.display()
                );
            }
            Ok(0)
        }
        Err(error) => {
            eprintln!("error: {error}");
            Ok(EXIT_FAILED)
        }
    }
}

fn rollback(args: &ProjectArgs) -> anyhow::Result<u8> {
    let project = locate(args.project.as_deref(), args.config_dir.as_deref())?;
    let _lock = DreamLock::acquire(&project.lucid_dir())?;
    match swap::rollback(&project.memory_dir(), &project.previous_dir()) {
        Ok(()) => {
            let mut state = State::load(&project.lucid_dir())?;
            state.last_promote_at = Some(now());
            state.save(&project.lucid_dir())?;
            println!(
                "rolled back: {} is the previous memory; the one it replaced is in {}",
                project.memory_dir().display(),
                project.previous_dir().display()
            );
            Ok(0)
        }
        Err(error) => {
            eprintln!("error: {error}");
            Ok(EXIT_FAILED)
        }
    }
}

/// What Claude Code sends a SessionEnd hook on stdin (the fields lucid reads).
#[derive(Debug, Default, Deserialize)]
struct HookInput {
    #[serde(default)]
    cwd: Option<PathBuf>,
    #[serde(default)]
    session_id: Option<String>,
}

/// The hook never fails the session: problems are printed on stderr and the exit code is 0.
fn hook(args: &HookArgs) -> u8 {
    if let Err(error) = run_hook(args) {
        eprintln!("lucid: {error:#}");
    }
    0
}

fn run_hook(args: &HookArgs) -> anyhow::Result<()> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading the hook input")?;
    let input: HookInput = if input.trim().is_empty() {
        HookInput::default()
    } else {
        serde_json::from_str(&input).context("the hook input is not JSON")?
    };
    let project = locate(input.cwd.as_deref(), args.config_dir.as_deref())?;
    let state = State::load(&project.lucid_dir())?;
    // Sessions since the last dream: neither promoted nor in the current draft.
    let new = project
        .transcripts()?
        .iter()
        .filter(|t| !state.is_seen(t))
        .count();
    let hours = state
        .last_dream_at
        .as_deref()
        .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
        .map(|at| {
            (chrono::Utc::now() - at.with_timezone(&chrono::Utc)).num_seconds() as f64 / 3600.0
        });
    let due = new >= args.min_sessions && hours.is_none_or(|h| h >= args.min_hours);
    let session = input.session_id.as_deref().unwrap_or("?");
    if !due {
        eprintln!(
            "lucid: session {session} recorded; {new} new session(s){}; dreaming at {} sessions \
             and {} hours",
            hours
                .map(|h| format!(", {h:.1} h since the last dream"))
                .unwrap_or_default(),
            args.min_sessions,
            args.min_hours
        );
        return Ok(());
    }
    let outcome = match run_dream(&project, false, lucid_core::MAX_DREAM_SESSIONS, None) {
        Ok(outcome) => outcome,
        // Another session's hook is dreaming: one dream is enough.
        Err(error)
            if error
                .downcast_ref::<lucid_claude_code::ClaudeCodeError>()
                .is_some_and(|e| {
                    matches!(e, lucid_claude_code::ClaudeCodeError::Locked { .. })
                }) =>
        {
            eprintln!("lucid: a dream of this project is already running");
            return Ok(());
        }
        Err(error) => return Err(error),
    };
    let Some(outcome) = outcome else {
        return Ok(());
    };
    eprintln!(
        "lucid: dreamed {} new session(s); draft in {}",
        outcome.claude_code.transcripts_read.len(),
        project.draft_dir().display()
    );
    if args.auto_promote {
        let _lock = DreamLock::acquire(&project.lucid_dir())?;
        swap::promote(
            &project.memory_dir(),
            &project.draft_dir(),
            &project.previous_dir(),
        )?;
        let mut state = State::load(&project.lucid_dir())?;
        state.promote_pending();
        state.last_promote_at = Some(now());
        state.save(&project.lucid_dir())?;
        eprintln!("lucid: promoted (--auto-promote); `lucid claude-code rollback` undoes it");
    }
    Ok(())
}
