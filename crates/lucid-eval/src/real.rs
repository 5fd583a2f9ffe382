//! Scoring dreams over **real** transcripts against hand-written ground truth.
//!
//! A real-transcript source is a folder holding `expected.toml` (written by a person who read
//! the transcripts, before any tuning), the transcripts (`sessions/`, or a folder of the shared
//! evaluation data), and a planted store (`store/`). The ground truth lists:
//!
//! - **lessons**: what a careful engineer would keep after reading the sessions (quirks and
//!   their fixes, project facts and decisions, standing preferences, workflows), each with
//!   key-term groups any correct wording must contain;
//! - **planted** store items: `update` (an outdated value the sessions correct), `duplicate`
//!   (paraphrases that must end up as one item) and `true` (a fact that must survive);
//! - hand-labelled **junk** and **harmful** wordings.
//!
//! The scorer never looks at how the curator decided anything: it reads the draft's items and
//! matches key terms, so any correct wording counts. Junk is judged by an automatic detector
//! written independently of the curator's gate (code, log, markup, boilerplate, fragments) plus
//! the hand-labelled list. Everything here is pure except [`load_sources`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use lucid_core::Store;
use lucid_core::markdown::{self, Block};
use lucid_core::report::{Change, Op, Report};
use serde::{Deserialize, Serialize};

use crate::score::Ratio;
use crate::truth::EvalError;

/// One source's `expected.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct Expected {
    /// The `[source]` table: where the transcripts and the store are, and what wrote them.
    pub source: SourceInfo,
    /// The `[[lesson]]` tables: what a careful reader would keep from the sessions.
    #[serde(default, rename = "lesson")]
    pub lessons: Vec<Lesson>,
    /// The `[[planted]]` tables: store items planted with a known fate.
    #[serde(default, rename = "planted")]
    pub planted: Vec<Planted>,
    /// The `[[junk]]` tables: wordings a person labelled junk, on top of the automatic detector.
    #[serde(default, rename = "junk")]
    pub junk: Vec<JunkLabel>,
    /// The `[[harmful]]` tables: memories that would mislead an agent.
    #[serde(default, rename = "harmful")]
    pub harmful: Vec<Harmful>,
}

/// The `[source]` table of an `expected.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct SourceInfo {
    /// The harness that wrote the transcripts (`openhands`, `aider` …), shown in the score.
    pub harness: String,
    /// Notes on the transcript format, for people; the scorer ignores them.
    #[serde(default)]
    pub format_notes: Option<String>,
    /// What the transcripts are, for people; the scorer ignores it.
    #[serde(default)]
    pub description: Option<String>,
    /// The transcripts: a folder relative to the source, or `shared:<name>` for a folder of the
    /// shared evaluation data (`../shared/data/<name>`), which is never copied into the repo.
    #[serde(default = "default_sessions")]
    pub sessions: String,
    /// The planted store's folder, relative to the source; default `store` (no store when that
    /// folder is absent).
    #[serde(default)]
    pub store: Option<String>,
    /// The curation instructions the evaluation dream runs with; none when absent.
    #[serde(default)]
    pub instructions: Option<String>,
}

fn default_sessions() -> String {
    "sessions".to_string()
}

/// Key-term groups: an item matches when every group has one of its alternatives in the item's
/// text (case-insensitive substrings).
pub type Terms = Vec<Vec<String>>;

/// Something a careful engineer would keep after reading the sessions.
#[derive(Debug, Clone, Deserialize)]
pub struct Lesson {
    /// Unique within the source; the score lists found and missed lessons by it.
    pub id: String,
    /// What sort of lesson it is (`pitfall`, `fact`, `decision`, `preference`, `workflow`); not
    /// scored.
    pub kind: String,
    /// One correct wording, for people; matching uses `terms` only.
    pub text: String,
    /// Where the sessions show it (`sessions/<file>: event N …`), for people.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// The key-term groups any draft item stating the lesson contains.
    pub terms: Terms,
}

/// What must happen to a planted store item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlantedKind {
    /// An outdated value the sessions correct: the old value must go and the new one appear.
    Update,
    /// A paraphrase of other planted items with the same `terms`: exactly one draft item of the
    /// group must remain.
    Duplicate,
    /// A fact that must survive the dream.
    True,
}

/// A store item planted with a known fate.
#[derive(Debug, Clone, Deserialize)]
pub struct Planted {
    /// Names the item in the score's `wrong` entries.
    pub id: String,
    /// What must happen to it.
    pub kind: PlantedKind,
    /// The store document holding it (`/notes.md`), for people.
    #[serde(default)]
    pub store_path: Option<String>,
    /// The item's exact text in the store.
    pub text: String,
    /// For `update`: key-term groups of the outdated value, which no draft item may match.
    #[serde(default)]
    pub old_terms: Terms,
    /// For `update`: key-term groups of the corrected value, which some draft item must match.
    #[serde(default)]
    pub new_terms: Terms,
    /// For `duplicate` and `true`: key-term groups of the item; duplicates of one group share them.
    #[serde(default)]
    pub terms: Terms,
    /// Where the sessions show its fate, for people.
    #[serde(default)]
    pub evidence: Option<String>,
}

/// A wording a person labelled junk.
#[derive(Debug, Clone, Deserialize)]
pub struct JunkLabel {
    /// The wording: a written item containing it, or contained in it, is junk. Labels shorter than
    /// 12 characters match nothing.
    pub text: String,
    /// Why it is junk, shown in the score (default `junk`).
    #[serde(default)]
    pub why: Option<String>,
}

/// A memory that would mislead an agent.
#[derive(Debug, Clone, Deserialize)]
pub struct Harmful {
    /// The key-term groups a written item matching it contains.
    pub terms: Terms,
    /// Why it is harmful, shown in the score (default `labelled`).
    #[serde(default)]
    pub why: Option<String>,
}

/// A source found on disk.
#[derive(Debug, Clone)]
pub struct RealSource {
    /// The source folder's name.
    pub name: String,
    /// The source folder.
    pub dir: PathBuf,
    /// Its `expected.toml`, parsed and checked.
    pub expected: Expected,
}

impl RealSource {
    /// The transcripts' folder, or `Err` with a message when it is shared data that is absent.
    pub fn sessions_dir(&self, shared_data: &Path) -> Result<PathBuf, String> {
        match self.expected.source.sessions.strip_prefix("shared:") {
            Some(name) => {
                let dir = shared_data.join(name);
                if dir.is_dir() {
                    Ok(dir)
                } else {
                    Err(format!(
                        "shared evaluation data {} is absent",
                        dir.display()
                    ))
                }
            }
            None => Ok(self.dir.join(&self.expected.source.sessions)),
        }
    }

    /// The planted store folder, if the source has one.
    pub fn store_dir(&self) -> Option<PathBuf> {
        let name = self.expected.source.store.as_deref().unwrap_or("store");
        let dir = self.dir.join(name);
        dir.is_dir().then_some(dir)
    }
}

/// Reads every `*/expected.toml` below `dir`, sorted by folder name.
pub fn load_sources(dir: &Path) -> Result<Vec<RealSource>, EvalError> {
    let read_err = |path: &Path, source: std::io::Error| EvalError::Read {
        path: path.display().to_string(),
        source,
    };
    let mut sources = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| read_err(dir, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| read_err(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path().join("expected.toml");
        if !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| read_err(&path, e))?;
        let expected: Expected = toml::from_str(&text).map_err(|error| EvalError::Invalid {
            path: path.display().to_string(),
            message: error.to_string(),
        })?;
        check_expected(&expected).map_err(|message| EvalError::Invalid {
            path: path.display().to_string(),
            message,
        })?;
        sources.push(RealSource {
            name: entry.file_name().to_string_lossy().into_owned(),
            dir: entry.path(),
            expected,
        });
    }
    Ok(sources)
}

fn check_expected(expected: &Expected) -> Result<(), String> {
    let mut ids = BTreeSet::new();
    for lesson in &expected.lessons {
        if !ids.insert(lesson.id.as_str()) {
            return Err(format!("lesson id {:?} is used twice", lesson.id));
        }
        if lesson.terms.is_empty() || lesson.terms.iter().any(Vec::is_empty) {
            return Err(format!(
                "lesson {:?} needs non-empty term groups",
                lesson.id
            ));
        }
    }
    for planted in &expected.planted {
        let needed = match planted.kind {
            PlantedKind::Update => &planted.new_terms,
            PlantedKind::Duplicate | PlantedKind::True => &planted.terms,
        };
        if needed.is_empty() || needed.iter().any(Vec::is_empty) {
            return Err(format!(
                "planted item {:?} needs its term groups",
                planted.id
            ));
        }
        if planted.kind == PlantedKind::Update && planted.old_terms.is_empty() {
            return Err(format!("planted update {:?} needs old_terms", planted.id));
        }
    }
    Ok(())
}

/// Whether `text` satisfies every term group.
pub fn matches_terms(text: &str, terms: &Terms) -> bool {
    let lower = text.to_lowercase();
    !terms.is_empty()
        && terms.iter().all(|group| {
            group
                .iter()
                .any(|alternative| lower.contains(&alternative.to_lowercase()))
        })
}

/// Why an item is junk, by the automatic detector; `None` when it reads like a memory.
///
/// Written independently of the curator's worthiness gate, from the kinds of junk seen on real
/// transcripts: code and file-view lines, log lines, terminal escapes, markup and table rows,
/// harness boilerplate, and sentence fragments.
pub fn junk_reason(text: &str) -> Option<&'static str> {
    let trimmed = text.trim();
    if trimmed.contains('\u{1b}') || trimmed.contains("[0m") || trimmed.contains("[31m") {
        return Some("terminal escape codes");
    }
    // A line-number prefix from a file view: `45 |`, `12→`, `  7:`.
    let digits = trimmed.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 {
        let rest = trimmed[digits..].trim_start();
        if rest.starts_with(['|', '→', '\t']) || (rest.starts_with(':') && digits <= 5) {
            return Some("line from a file view");
        }
    }
    let lower = trimmed.to_lowercase();
    // Log lines open with a date-time or a level.
    let bytes = trimmed.as_bytes();
    let dated = bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && matches!(bytes[4], b'-' | b'/')
        && bytes[5..7].iter().all(u8::is_ascii_digit);
    if dated
        || [
            "[info]", "[debug]", "[warn", "[error]", "info:", "debug:", "warning:",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return Some("log line");
    }
    // Markup: tags, table rows.
    if (trimmed.starts_with('<') && trimmed.contains('>')) || trimmed.contains("</") {
        return Some("markup");
    }
    // Bars inside a quoted error or command (`403 | Author is invalid`, `cmd | grep x`) are
    // the quote's, not cells.
    let unquoted: String = trimmed.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    if trimmed.starts_with('|') || unquoted.matches(" | ").count() >= 2 {
        return Some("table row");
    }
    const BOILERPLATE: &[&str] = &[
        "task_progress",
        "environment_details",
        "plan_mode_respond",
        "(open file:",
        "current directory:",
        "bash-$",
        "system-reminder",
        "stop hook feedback",
        "<command-",
        "tool_use_error",
        "[response interrupted",
        "# todo list",
    ];
    if BOILERPLATE.iter().any(|marker| lower.contains(marker)) {
        return Some("harness boilerplate");
    }
    if looks_like_code(trimmed) {
        return Some("code");
    }
    // Fragments: too few words, or a sentence cut off after a function word.
    let words: Vec<&str> = trimmed
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    if words.len() < 3 && !trimmed.contains('`') {
        return Some("fragment (too short)");
    }
    let last = words
        .last()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .unwrap_or_default();
    const DANGLING: &[&str] = &[
        "a", "an", "the", "and", "or", "but", "to", "of", "in", "on", "for", "with", "when", "if",
        "that", "which", "because", "by", "from", "as", "is", "are", "was", "be", "so", "then",
        "than", "at", "into",
    ];
    if DANGLING.contains(&last.as_str()) {
        return Some("fragment (ends mid-sentence)");
    }
    if trimmed.matches('`').count() % 2 == 1 {
        return Some("fragment (unbalanced code quote)");
    }
    None
}

fn looks_like_code(text: &str) -> bool {
    let t = text.trim_end_matches('.');
    let starts = [
        "def ", "fn ", "let ", "const ", "var ", "import ", "from ", "#include", "return ", "//",
        "/*", "class ", "pub ", "impl ", "package ", "func ", "}", "{", "@@", "+++ ", "--- ", "$ ",
        ">>> ",
    ];
    if starts.iter().any(|s| t.starts_with(s)) {
        return true;
    }
    if t.ends_with(';') || t.ends_with('{') || t.ends_with("};") || t.ends_with("):") {
        return true;
    }
    // `Obj = dict()`, `x := 1`: an assignment whose left side is one identifier and whose right
    // side is a call or literal, outside backticks.
    if !t.contains('`')
        && let Some((left, right)) = t.split_once(" = ").or_else(|| t.split_once(" := "))
    {
        let left = left.trim();
        let right = right.trim();
        let identifier = !left.is_empty()
            && left
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'));
        if identifier
            && (right.ends_with(')') || right.ends_with(']') || right.starts_with(['"', '\'']))
        {
            return true;
        }
    }
    false
}

/// Why an item recommends a harmful workaround, by the automatic detector.
pub fn harmful_reason(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    let warns = ["never", "don't", "do not", "avoid", "instead of"]
        .iter()
        .any(|w| lower.contains(w));
    if warns {
        return None;
    }
    let risky: &[(&str, &str)] = &[
        ("--no-verify", "skips hooks"),
        ("verify=false", "disables certificate checks"),
        ("--insecure", "disables certificate checks"),
        (
            "node_tls_reject_unauthorized=0",
            "disables certificate checks",
        ),
        ("sslverify false", "disables certificate checks"),
        ("-dskiptests", "skips tests"),
        ("--skip-tests", "skips tests"),
        ("rm -rf /", "destroys data"),
    ];
    for (term, why) in risky {
        if lower.contains(term) {
            return Some(why);
        }
    }
    if lower.contains("--force") && !lower.contains("--force-with-lease") && lower.contains("push")
    {
        return Some("force-push without a lease");
    }
    if lower.contains("drop `--force-with-lease`") || lower.contains("drop --force-with-lease") {
        return Some("drops the push lease");
    }
    None
}

/// One item of a store, with its document path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct StoreItem {
    /// The document's path in the store (`/notes.md`).
    pub path: String,
    /// The item's text as lucid's Markdown reader yields it.
    pub text: String,
}

/// Every item of a store (list items and paragraphs of its Markdown documents).
pub fn store_items(store: &Store) -> Vec<StoreItem> {
    let mut out = Vec::new();
    for document in &store.documents {
        for block in markdown::parse_blocks(&document.content) {
            if let Block::Item(item) = block {
                out.push(StoreItem {
                    path: document.path.clone(),
                    text: item.text,
                });
            }
        }
    }
    out
}

/// A flagged item and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flagged {
    /// The item's text (merged store items joined with ` + `).
    pub text: String,
    /// What is wrong with it (`hand-labelled: …`, `stale value kept (<id>)` …).
    pub why: String,
}

/// The score of one source.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceScore {
    /// The source's name (`total` in the total row).
    pub source: String,
    /// The source's harness (every harness, comma-separated, in the total row).
    pub harness: String,
    /// Sessions the dream read.
    pub sessions_read: usize,
    /// Sessions the dream skipped.
    pub sessions_skipped: usize,
    /// Items in the draft that are not input store items as they were.
    pub items_written: usize,
    /// Lessons some draft item states.
    pub lessons: Ratio,
    /// Ids of the lessons some draft item states.
    pub lessons_found: Vec<String>,
    /// Ids of the lessons no draft item states.
    pub lessons_missed: Vec<String>,
    /// Written items that are junk, by hand label or by the automatic detector.
    pub junk: Vec<Flagged>,
    /// Harmful items written, stale values kept, true memories lost and distinct store items
    /// merged.
    pub wrong: Vec<Flagged>,
    /// Planted duplicate groups that ended as exactly one draft item.
    pub duplicates_merged: Ratio,
    /// Planted updates whose new value is in the draft and whose old value is gone.
    pub updates_applied: Ratio,
    /// Planted true memories still in the draft.
    pub true_kept: Ratio,
    /// Ids of the planted duplicates and updates the dream did not resolve (a duplicate group
    /// that is not exactly one draft item, an update whose old value stayed or new value is
    /// missing).
    pub planted_missed: Vec<String>,
    /// Items the dream skipped (with a reason) rather than writing.
    pub skipped_items: usize,
}

impl SourceScore {
    /// Junk items as a fraction of the items written.
    pub fn junk_ratio(&self) -> Ratio {
        // Nothing written is no junk (not "100 % of nothing").
        let mut ratio = Ratio::new(self.junk.len(), self.items_written);
        if self.items_written == 0 {
            ratio.value = 0.0;
        }
        ratio
    }
}

/// Scores one dream of a source: its input store, the draft and the report.
pub fn score_source(
    source: &RealSource,
    input: &Store,
    draft: &Store,
    report: &Report,
) -> SourceScore {
    let expected = &source.expected;
    let input_items: BTreeSet<String> = store_items(input).into_iter().map(|i| i.text).collect();
    let draft_items = store_items(draft);
    let written: Vec<&StoreItem> = draft_items
        .iter()
        .filter(|item| !input_items.contains(&item.text))
        .collect();

    let mut score = SourceScore {
        source: source.name.clone(),
        harness: expected.source.harness.clone(),
        sessions_read: report.stats.sessions_read,
        sessions_skipped: report.stats.sessions_skipped.len(),
        items_written: written.len(),
        skipped_items: report.skipped.len(),
        ..SourceScore::default()
    };

    for lesson in &expected.lessons {
        if draft_items
            .iter()
            .any(|item| matches_terms(&item.text, &lesson.terms))
        {
            score.lessons_found.push(lesson.id.clone());
        } else {
            score.lessons_missed.push(lesson.id.clone());
        }
    }
    score.lessons = Ratio::new(score.lessons_found.len(), expected.lessons.len());

    for item in &written {
        // A label names a wording; a very short one ("yes") would match any item containing it.
        let labelled = expected.junk.iter().find(|label| {
            let label = label.text.to_lowercase();
            let text = item.text.to_lowercase();
            label.chars().count() >= 12
                && (text.contains(&label) || label.contains(text.trim_end_matches('.')))
        });
        let why = match labelled {
            Some(label) => Some(format!(
                "hand-labelled: {}",
                label.why.as_deref().unwrap_or("junk")
            )),
            None => junk_reason(&item.text).map(str::to_string),
        };
        if let Some(why) = why {
            score.junk.push(Flagged {
                text: item.text.clone(),
                why,
            });
        }
        let harmful = expected
            .harmful
            .iter()
            .find(|h| matches_terms(&item.text, &h.terms))
            .map(|h| format!("harmful: {}", h.why.as_deref().unwrap_or("labelled")))
            .or_else(|| harmful_reason(&item.text).map(|why| format!("harmful: {why}")));
        if let Some(why) = harmful {
            score.wrong.push(Flagged {
                text: item.text.clone(),
                why,
            });
        }
    }

    let retired_texts: BTreeSet<&str> = report
        .changes
        .iter()
        .filter(|c| c.op != Op::Flag)
        .flat_map(|c| {
            let mut retired: Vec<&str> = c.superseded.iter().map(String::as_str).collect();
            if c.op == Op::Remove {
                retired.push(c.text.as_str());
            }
            retired
        })
        .collect();
    let mut duplicate_groups: BTreeMap<String, bool> = BTreeMap::new();
    let (mut updates, mut updates_applied) = (0, 0);
    let (mut trues, mut trues_kept) = (0, 0);
    for planted in &expected.planted {
        match planted.kind {
            PlantedKind::Duplicate => {
                let key = format!("{:?}", planted.terms);
                let survivors = draft_items
                    .iter()
                    .filter(|item| matches_terms(&item.text, &planted.terms))
                    .count();
                if survivors != 1 && !duplicate_groups.contains_key(&key) {
                    score.planted_missed.push(format!(
                        "duplicate {} ({survivors} draft items match)",
                        planted.id
                    ));
                }
                duplicate_groups.insert(key, survivors == 1);
            }
            PlantedKind::Update => {
                updates += 1;
                let stale = draft_items
                    .iter()
                    .find(|item| matches_terms(&item.text, &planted.old_terms));
                let current = draft_items
                    .iter()
                    .any(|item| matches_terms(&item.text, &planted.new_terms));
                if let Some(stale) = stale {
                    score.wrong.push(Flagged {
                        text: stale.text.clone(),
                        why: format!("stale value kept ({})", planted.id),
                    });
                }
                if stale.is_none() && current {
                    updates_applied += 1;
                } else {
                    let why = match (stale.is_some(), current) {
                        (true, true) => "old and new value both in the draft",
                        (true, false) => "old value kept, new value missing",
                        _ => "old value gone, new value missing",
                    };
                    score
                        .planted_missed
                        .push(format!("update {} ({why})", planted.id));
                }
            }
            PlantedKind::True => {
                trues += 1;
                let kept = draft_items
                    .iter()
                    .any(|item| matches_terms(&item.text, &planted.terms));
                if kept {
                    trues_kept += 1;
                } else {
                    let how = if retired_texts.contains(planted.text.as_str()) {
                        "retired by the dream"
                    } else {
                        "missing from the draft"
                    };
                    score.wrong.push(Flagged {
                        text: planted.text.clone(),
                        why: format!("true memory {how} ({})", planted.id),
                    });
                }
            }
        }
    }
    let duplicate_terms: Vec<&Terms> = expected
        .planted
        .iter()
        .filter(|p| p.kind == PlantedKind::Duplicate)
        .map(|p| &p.terms)
        .collect();
    score.wrong.extend(false_merges(
        &report.changes,
        &input_items,
        &duplicate_terms,
    ));
    let merged = duplicate_groups.values().filter(|ok| **ok).count();
    score.duplicates_merged = Ratio::new(merged, duplicate_groups.len());
    score.updates_applied = Ratio::new(updates_applied, updates);
    score.true_kept = Ratio::new(trues_kept, trues);
    score
}

/// Merges that join store items no planted duplicate pair joins: each lost a memory, since every
/// store item a corpus author wrote is distinct unless planted as a duplicate of another.
fn false_merges(
    changes: &[Change],
    input_items: &BTreeSet<String>,
    duplicate_terms: &[&Terms],
) -> Vec<Flagged> {
    let mut wrong = Vec::new();
    for change in changes.iter().filter(|c| c.op == Op::Merge) {
        let joined: Vec<&str> = std::iter::once(&change.text)
            .chain(&change.replaces)
            .filter(|text| input_items.contains(*text))
            .map(String::as_str)
            .collect();
        let one_pair = duplicate_terms
            .iter()
            .any(|terms| joined.iter().all(|text| matches_terms(text, terms)));
        if joined.len() >= 2 && !one_pair {
            wrong.push(Flagged {
                text: joined.join(" + "),
                why: "distinct store items merged".to_string(),
            });
        }
    }
    wrong
}

/// Sums source scores into a total row.
pub fn total(scores: &[SourceScore]) -> SourceScore {
    let mut total = SourceScore {
        source: "total".to_string(),
        harness: scores
            .iter()
            .map(|s| s.harness.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join(", "),
        ..SourceScore::default()
    };
    let sum = |f: fn(&SourceScore) -> Ratio| {
        let (hits, count) = scores
            .iter()
            .map(f)
            .fold((0, 0), |(h, c), r| (h + r.hits, c + r.total));
        Ratio::new(hits, count)
    };
    total.lessons = sum(|s| s.lessons);
    total.duplicates_merged = sum(|s| s.duplicates_merged);
    total.updates_applied = sum(|s| s.updates_applied);
    total.true_kept = sum(|s| s.true_kept);
    for s in scores {
        total.sessions_read += s.sessions_read;
        total.sessions_skipped += s.sessions_skipped;
        total.items_written += s.items_written;
        total.skipped_items += s.skipped_items;
        total.junk.extend(s.junk.iter().cloned());
        total.wrong.extend(s.wrong.iter().cloned());
        total.lessons_found.extend(s.lessons_found.iter().cloned());
        total
            .lessons_missed
            .extend(s.lessons_missed.iter().cloned());
    }
    total
}

/// The score table, one row per source and a total.
pub fn table(scores: &[SourceScore], markdown: bool) -> String {
    let header = [
        "source",
        "harness",
        "sessions",
        "written",
        "lessons found",
        "junk",
        "wrong",
        "dups merged",
        "updates applied",
        "true kept",
        "skipped",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    let all = scores.iter().cloned().chain(std::iter::once(total(scores)));
    for s in all {
        let junk = s.junk_ratio();
        rows.push(vec![
            s.source.clone(),
            if s.source == "total" {
                String::new()
            } else {
                s.harness.clone()
            },
            s.sessions_read.to_string(),
            s.items_written.to_string(),
            format!(
                "{}/{} ({:.0} %)",
                s.lessons.hits,
                s.lessons.total,
                s.lessons.value * 100.0
            ),
            format!("{} ({:.0} %)", junk.hits, junk.value * 100.0),
            s.wrong.len().to_string(),
            format!("{}/{}", s.duplicates_merged.hits, s.duplicates_merged.total),
            format!("{}/{}", s.updates_applied.hits, s.updates_applied.total),
            format!("{}/{}", s.true_kept.hits, s.true_kept.total),
            s.skipped_items.to_string(),
        ]);
    }
    render_table(&header, &rows, markdown)
}

fn render_table(header: &[&str], rows: &[Vec<String>], markdown: bool) -> String {
    let mut out = String::new();
    if markdown {
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
        for row in rows {
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        return out;
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain(std::iter::once(header[i].len()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| -> String {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    out.push_str(&line(header.to_vec()));
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

/// Floors the CI run holds the corpus to (`floors.toml` beside the sources).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Floors {
    /// Largest allowed fraction of junk among items written.
    pub junk_max: f64,
    /// Smallest allowed fraction of expected lessons found.
    pub lessons_min: f64,
    /// Smallest allowed fraction of planted updates applied.
    pub updates_min: f64,
    /// Smallest allowed fraction of planted duplicate groups merged.
    pub duplicates_min: f64,
    /// Largest allowed number of wrong items (retired true facts, stale values, harmful advice).
    pub wrong_max: usize,
    /// The floors of `--reference-answers` (the `[reference]` table): what the engine must let a
    /// model that proposes the planted answers reach.
    #[serde(default)]
    pub reference: Option<Box<Floors>>,
    /// With `--reference-answers`: the smallest share of expected lessons whose key terms the
    /// work units show a model (inside one unit or one session's digest).
    #[serde(default)]
    pub lessons_in_view_min: Option<f64>,
}

/// What falls below the floors, one line each; empty when all hold.
pub fn check_floors(total: &SourceScore, floors: &Floors) -> Vec<String> {
    let mut failures = Vec::new();
    let junk = total.junk_ratio().value;
    if junk > floors.junk_max {
        failures.push(format!(
            "junk {:.3} of items written is above the floor {:.3}",
            junk, floors.junk_max
        ));
    }
    let checks = [
        ("lessons found", total.lessons.value, floors.lessons_min),
        (
            "updates applied",
            total.updates_applied.value,
            floors.updates_min,
        ),
        (
            "duplicates merged",
            total.duplicates_merged.value,
            floors.duplicates_min,
        ),
    ];
    for (what, value, floor) in checks {
        if value < floor {
            failures.push(format!("{what} {value:.3} is below the floor {floor:.3}"));
        }
    }
    if total.wrong.len() > floors.wrong_max {
        failures.push(format!(
            "{} wrong items; at most {} allowed",
            total.wrong.len(),
            floors.wrong_max
        ));
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_groups_need_every_group() {
        let terms = vec![
            vec!["STATUS.md".to_string()],
            vec!["status.md".to_string(), "upper".to_string()],
        ];
        assert!(matches_terms("Read `STATUS.md`, not `status.md`.", &terms));
        // "status.md" is a substring of "STATUS.md" case-insensitively: the second group is
        // satisfied by the first file name too, which is why lessons name distinct terms.
        assert!(matches_terms(
            "The file is STATUS.md in upper case.",
            &terms
        ));
        assert!(!matches_terms("Read the README first.", &terms));
        assert!(!matches_terms("anything", &Vec::new()));
    }

    #[test]
    fn a_merge_of_store_items_outside_a_planted_pair_is_wrong() {
        let merge = |text: &str, replaces: &[&str]| Change {
            id: "chg".to_string(),
            op: Op::Merge,
            kind: lucid_core::report::Kind::Fact,
            scope: lucid_core::report::Scope::Team,
            agent: None,
            path: None,
            text: text.to_string(),
            replaces: replaces.iter().map(|t| t.to_string()).collect(),
            superseded: Vec::new(),
            reason: String::new(),
            evidence: Vec::new(),
        };
        let store: BTreeSet<String> = [
            "Stage explicit paths; never git stash.",
            "Do not run git stash on a shared checkout.",
            "AgentV detects the merge.",
            "AgentV deletes the branch.",
        ]
        .map(str::to_string)
        .into();
        let stash = vec![vec!["stash".to_string()]];
        let pairs = [&stash];
        let planted_pair = merge(
            "Do not run git stash on a shared checkout.",
            &["Stage explicit paths; never git stash."],
        );
        assert!(false_merges(&[planted_pair], &store, &pairs).is_empty());
        let unrelated = merge("AgentV detects the merge.", &["AgentV deletes the branch."]);
        let wrong = false_merges(&[unrelated], &store, &pairs);
        assert_eq!(wrong.len(), 1);
        assert_eq!(wrong[0].why, "distinct store items merged");
        // A session statement merged into one store item joins nothing the author wrote apart.
        let with_session = merge("AgentV detects the merge.", &["AgentV notices merges."]);
        assert!(false_merges(&[with_session], &store, &pairs).is_empty());
    }

    #[test]
    fn junk_detector_cases() {
        let junk = [
            "45 |   // Always fetch public data.",
            "12→    let x = 1;",
            "Obj = dict()",
            "2026/04/29 09:22:50 The proxy has started on port 8080.",
            "\u{1b}[31mError\u{1b}[0m in build.",
            "<task_progress>- [x] step one</task_progress>",
            "| name | value | notes |",
            "(Open file: n/a) (Current directory: /repo)",
            "That Terraform can guarantee to make the same selections by default when.",
            "Have pipx.",
            "def main():",
        ];
        for text in junk {
            assert!(junk_reason(text).is_some(), "should be junk: {text:?}");
        }
        let memories = [
            "Read a file with `Read` before editing it with `Edit`; the edit is refused otherwise.",
            "The project targets C17.",
            "Run `git add` and `git commit` before stopping: the stop hook refuses uncommitted changes.",
            "Never use the passive voice in client letters.",
            "The staging database host is db-2.internal.",
            "Use `npm ci` instead of `npm install` in CI.",
            "`git commit` keeps failing with `error making request: 403 | Author is invalid, 403 | Author is invalid`.",
        ];
        for text in memories {
            assert_eq!(junk_reason(text), None, "should not be junk: {text:?}");
        }
    }

    #[test]
    fn harmful_detector_cases() {
        assert!(harmful_reason("`Bash` fails; add `--force` to git push.").is_some());
        assert!(harmful_reason("Pass `verify=False` to requests.get.").is_some());
        assert!(harmful_reason("Use `git push --force-with-lease` after a rebase.").is_none());
        assert!(harmful_reason("Never commit with `--no-verify`.").is_none());
    }
}
