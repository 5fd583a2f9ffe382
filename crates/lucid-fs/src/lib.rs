//! lucid on disk: memory-store folders in, transcripts in, drafts out.
//!
//! This crate is the only place the dream engine touches the file system. It reads a store
//! folder into a [`Store`], finds transcript files (a Cline task folder counts as one session:
//! its `api_conversation_history.json`, read with the `ui_messages.json` beside it; Markdown only
//! when it is an aider chat transcript, other `.md` files are reported as skipped), imports and
//! digests them in parallel (only digests stay in memory, so thousands of sessions fit), and
//! writes a draft store atomically:
//! into a temporary sibling folder that is renamed into place at the end, so a crash never leaves
//! a half-written output. It never writes inside the input store.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use lucid_core::report::SkippedSession;
use lucid_core::{
    DigestOptions, SessionDigest, SessionTrust, Store, StoreDocument, Timestamp,
    digest_session_with,
};
use rayon::prelude::*;

/// Why reading inputs or writing a draft failed; each message names the path.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    /// The store folder (or a file in it) could not be read.
    #[error("cannot read the memory store {path}: {source}")]
    StoreUnreadable {
        /// What could not be read.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// `--store` names a file, not a folder.
    #[error("memory store {path} is not a directory")]
    StoreNotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// A store file is binary or in another encoding.
    #[error("store file {path} is not UTF-8 text; lucid stores hold text documents")]
    StoreFileNotText {
        /// The file.
        path: PathBuf,
    },
    /// The sessions folder (or a transcript in it) could not be read.
    #[error("cannot read {path}: {source}")]
    SessionsUnreadable {
        /// What could not be read.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// An input path does not exist.
    #[error("{path} does not exist")]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// The draft folder cannot be used (inside the store, not empty, …).
    #[error("output {path} {problem}")]
    BadOutput {
        /// The `--out` path.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// The report path cannot be used (it would overwrite an input, its folder is missing, …).
    #[error("report {path} {problem}")]
    BadReport {
        /// The `--report` path.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// Writing the draft failed (nothing half-written is left in place).
    #[error("cannot write the draft to {path}: {source}")]
    Write {
        /// Where it was being written.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// Reads a store folder: every non-hidden file below it is a document at `/relative/path`.
pub fn read_store(dir: &Path) -> Result<Store, FsError> {
    let metadata = std::fs::metadata(dir).map_err(|source| FsError::StoreUnreadable {
        path: dir.to_path_buf(),
        source,
    })?;
    if !metadata.is_dir() {
        return Err(FsError::StoreNotADirectory {
            path: dir.to_path_buf(),
        });
    }
    let mut files = Vec::new();
    walk(dir, &mut files, &|_| false).map_err(|source| FsError::StoreUnreadable {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut documents = Vec::new();
    for file in files {
        let bytes = std::fs::read(&file).map_err(|source| FsError::StoreUnreadable {
            path: file.clone(),
            source,
        })?;
        let content = String::from_utf8(bytes)
            .map_err(|_| FsError::StoreFileNotText { path: file.clone() })?;
        let relative = file.strip_prefix(dir).unwrap_or(&file);
        let path = format!(
            "/{}",
            relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        );
        documents.push(StoreDocument {
            path,
            content,
            updated_at: None,
            as_of: None,
        });
    }
    Ok(Store::new(documents))
}

/// Recursively lists regular files, skipping hidden entries (except the hidden files and
/// folders `keep_hidden` names), sorted for determinism.
fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    keep_hidden: &dyn Fn(&str) -> bool,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let hidden = name.starts_with('.');
        // Hidden entries are not even looked at (editor lock files are broken symlinks).
        if hidden && !keep_hidden(&name) {
            continue;
        }
        let path = entry.path();
        let file_type = std::fs::metadata(&path)?.file_type();
        if hidden && !file_type.is_file() && !file_type.is_dir() {
            continue;
        }
        if file_type.is_dir() {
            walk(&path, out, keep_hidden)?;
        } else if file_type.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

/// Extensions of files that may hold transcripts when a directory is searched (`.traj`:
/// SWE-agent trajectories; `.md`: aider chat transcripts, the only Markdown that is one).
const TRANSCRIPT_EXTENSIONS: &[&str] = &["jsonl", "json", "ndjson", "traj", "md"];

/// The name aider gives its chat history: a hidden file, found all the same.
const AIDER_HISTORY_FILE: &str = ".aider.chat.history.md";

/// What [`find_transcripts`] looks for, for messages that found none.
pub const TRANSCRIPTS_LOOKED_FOR: &str = ".jsonl, .json, .ndjson and .traj files, and .md files \
     that are aider chat histories (also the hidden .aider.chat.history.md), SpecStory exports \
     (also in a project's hidden .specstory/ folder) or Cline task exports";

/// The hidden folder SpecStory saves its exports in, inside the project (`.specstory/history/`):
/// searched all the same, so a project folder given as `--sessions` yields its sessions.
const SPECSTORY_FOLDER: &str = ".specstory";

/// Finds transcript files: files given directly are taken as they are; directories are read
/// recursively for `.jsonl`, `.json`, `.ndjson`, `.traj` and `.md` files (hidden entries are
/// skipped, except aider's `.aider.chat.history.md` and SpecStory's `.specstory/` folder).
/// Sorted, without duplicates.
///
/// A folder holding a Cline / Roo Code `api_conversation_history.json` is one task: that file is
/// its session, and the folder's other JSON files (`ui_messages.json`, `task_metadata.json`,
/// `context_history.json`, …) are part of it, not sessions of their own, so they are neither
/// listed nor reported as skipped; a file of another kind beside them (a `.jsonl` session, a
/// note) is treated as anywhere else. Any other file with a transcript extension is listed, and one
/// that turns out not to be a transcript is reported with the reason when it is digested — a
/// `.md` file is a transcript only when its content is an aider chat transcript, so notes and
/// READMEs beside the transcripts are reported as skipped, never dropped silently.
pub fn find_transcripts(paths: &[PathBuf]) -> Result<Vec<PathBuf>, FsError> {
    find_transcripts_and_others(paths).map(|(files, _)| files)
}

/// [`find_transcripts`], and the other files of the directories searched in the same walk:
/// those with no transcript extension (`.txt`, `.log`, images …), each as a skipped session
/// with the reason, so nothing beside the transcripts is left out silently. Hidden entries are
/// not looked at; files given directly are always read. After 50 of them, one entry counts the
/// rest.
pub fn find_transcripts_and_others(
    paths: &[PathBuf],
) -> Result<(Vec<PathBuf>, Vec<SkippedSession>), FsError> {
    let mut files = Vec::new();
    let mut others: Vec<PathBuf> = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                FsError::Missing { path: path.clone() }
            } else {
                FsError::SessionsUnreadable {
                    path: path.clone(),
                    source,
                }
            }
        })?;
        if metadata.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found, &|name| {
                name == AIDER_HISTORY_FILE || name == SPECSTORY_FOLDER
            })
            .map_err(|source| FsError::SessionsUnreadable {
                path: path.clone(),
                source,
            })?;
            let task_folders: std::collections::BTreeSet<PathBuf> = found
                .iter()
                .filter(|file| is_cline_history(file))
                .filter_map(|file| file.parent().map(Path::to_path_buf))
                .collect();
            // Copilot CLI's session folders (`<id>/events.jsonl` beside `workspace.yaml`, with
            // `checkpoints/` and `rewind-snapshots/` under it): the events are the session.
            let copilot_folders: std::collections::BTreeSet<PathBuf> = found
                .iter()
                .filter(|file| is_copilot_events(file))
                .filter_map(|file| file.parent().map(Path::to_path_buf))
                .collect();
            // Claude Code keeps a session's side files in a folder named after it, beside its
            // `<id>.jsonl`: sub-agents' transcripts (read, as sessions of their own) with their
            // `.meta.json`, and `tool-results/*.txt` (long results the transcript also holds).
            let claude_session_folders: std::collections::BTreeSet<PathBuf> = found
                .iter()
                .filter(|file| file.extension().is_some_and(|e| e == "jsonl"))
                .map(|file| file.with_extension(""))
                .collect();
            for file in found {
                let beside_claude_session = file.extension().is_none_or(|e| e != "jsonl")
                    && file
                        .ancestors()
                        .skip(1)
                        .any(|folder| claude_session_folders.contains(folder) && folder.is_dir());
                if beside_claude_session {
                    continue;
                }
                // Cline keeps a task's state as JSON beside its history (`ui_messages.json`,
                // `task_metadata.json`, `context_history.json`); a transcript of another kind
                // put in the same folder (a `.jsonl` session) is read as usual.
                let companion = (!is_cline_history(&file)
                    && file
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
                    && file
                        .parent()
                        .is_some_and(|parent| task_folders.contains(parent)))
                    || (!is_copilot_events(&file)
                        && copilot_folders
                            .iter()
                            .any(|folder| file.starts_with(folder)));
                // A Cline task's or a Copilot CLI session's companion files are part of it:
                // neither read nor reported.
                if companion {
                    continue;
                }
                if has_transcript_extension(&file) {
                    files.push(file);
                } else {
                    others.push(file);
                }
            }
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    others.sort();
    others.dedup();
    Ok((files, not_transcripts(&others)))
}

fn has_transcript_extension(file: &Path) -> bool {
    file.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| TRANSCRIPT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// At most this many files that are not transcripts are listed one by one in a report; the
/// rest are counted in one more entry.
const MAX_OTHER_FILES_LISTED: usize = 50;

/// Files that are no transcripts, as skipped sessions with the reason; after
/// [`MAX_OTHER_FILES_LISTED`], one entry counts the rest.
fn not_transcripts(others: &[PathBuf]) -> Vec<SkippedSession> {
    let mut skipped: Vec<SkippedSession> = others
        .iter()
        .take(MAX_OTHER_FILES_LISTED)
        .map(|file| SkippedSession {
            path: file.display().to_string(),
            reason: format!(
                "not a transcript file ({}): a dream reads {TRANSCRIPTS_LOOKED_FOR}",
                file.extension()
                    .and_then(|e| e.to_str())
                    .map_or("no extension".to_string(), |e| format!(".{e}"))
            ),
        })
        .collect();
    if others.len() > MAX_OTHER_FILES_LISTED {
        skipped.push(SkippedSession {
            path: format!("({} more files)", others.len() - MAX_OTHER_FILES_LISTED),
            reason: "not transcript files either (not listed one by one)".to_string(),
        });
    }
    skipped
}

/// Whether a file is a Copilot CLI session's event log: `events.jsonl` with the session's
/// `workspace.yaml` beside it.
fn is_copilot_events(file: &Path) -> bool {
    file.file_name().is_some_and(|name| name == "events.jsonl")
        && file
            .parent()
            .is_some_and(|folder| folder.join("workspace.yaml").is_file())
}

/// Whether a file is a Cline / Roo Code task history (`api_conversation_history.json`).
fn is_cline_history(file: &Path) -> bool {
    file.file_name()
        .is_some_and(|name| name == lucid_import::CLINE_HISTORY_FILE)
}

/// Which transcripts are trusted, untrusted or quarantined as a whole (by file or folder), and
/// whether only trusted ones may feed the dream.
#[derive(Debug, Clone, Default)]
pub struct TrustRules {
    /// Files or folders whose transcripts are trusted (`--trusted`).
    pub trusted: Vec<PathBuf>,
    /// Files or folders whose every event is untrusted (`--untrusted`).
    pub untrusted: Vec<PathBuf>,
    /// Files or folders whose transcripts never feed a dream (`--quarantine`).
    pub quarantined: Vec<PathBuf>,
    /// Only sessions pinned as trusted feed the dream.
    pub trusted_only: bool,
}

impl TrustRules {
    /// The trust of a file: the most specific (longest) matching path wins; quarantine wins a
    /// tie, then untrusted.
    pub fn trust_of(&self, file: &Path) -> SessionTrust {
        let file = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        let mut best: Option<(usize, u8, SessionTrust)> = None;
        let lists = [
            (&self.quarantined, 2u8, SessionTrust::Quarantined),
            (&self.untrusted, 1, SessionTrust::Untrusted),
            (&self.trusted, 0, SessionTrust::Trusted),
        ];
        for (list, rank, trust) in lists {
            for path in list {
                let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
                if file.starts_with(&path) {
                    let depth = path.components().count();
                    if best.is_none_or(|(d, r, _)| depth > d || (depth == d && rank > r)) {
                        best = Some((depth, rank, trust));
                    }
                }
            }
        }
        best.map_or(SessionTrust::Default, |(_, _, trust)| trust)
    }
}

/// The digests of the sessions that could be used, and the files that could not (with why).
pub struct DigestedSessions {
    /// One digest per session read, in a stable order.
    pub digests: Vec<SessionDigest>,
    /// The files not read, each with the reason.
    pub skipped: Vec<SkippedSession>,
    /// Bytes of transcript read.
    pub bytes: u64,
}

impl DigestedSessions {
    /// Keeps at most `max` sessions, the newest: a file can hold several (every run of aider
    /// in a repository is in one chat history), so a dream within its file limit can still
    /// read more sessions than it may. The older ones are listed as skipped, with the reason.
    pub fn keep_newest(&mut self, max: usize) {
        if self.digests.len() <= max {
            return;
        }
        let mut order: Vec<usize> = (0..self.digests.len()).collect();
        // Newest first; sessions without a time count as oldest.
        order.sort_by(|&a, &b| {
            let at = |i: usize| self.digests[i].last_at.or(self.digests[i].first_at);
            at(b).cmp(&at(a)).then(a.cmp(&b))
        });
        let dropped: std::collections::BTreeSet<usize> = order[max..].iter().copied().collect();
        let mut kept = Vec::with_capacity(max);
        for (index, digest) in std::mem::take(&mut self.digests).into_iter().enumerate() {
            if dropped.contains(&index) {
                self.skipped.push(SkippedSession {
                    path: format!("{} (session {})", digest.source, digest.session),
                    reason: format!(
                        "beyond the dream's limit of {max} sessions (its files hold more); the \
                         newest {max} are read"
                    ),
                });
            } else {
                kept.push(digest);
            }
        }
        self.digests = kept;
    }
}

/// Imports and digests transcript files in parallel. `progress` is called after each file with
/// the number of files done so far.
///
/// A file whose events are the opening of another file's events with the same session id is an
/// earlier copy of that session (checkpoint tools and backups keep one snapshot per step), not
/// another session: it is skipped with a reason, so one session never counts as several
/// towards a pattern's recurrence.
pub fn digest_transcripts(
    files: &[PathBuf],
    options: &DigestOptions,
    trust: &TrustRules,
    progress: &(dyn Fn(usize) + Sync),
) -> DigestedSessions {
    let done = AtomicUsize::new(0);
    let results: Vec<(Result<DigestedFile, SkippedSession>, u64)> = files
        .par_iter()
        .map(|file| {
            let mut size = 0;
            let digest = SkippedSession::on_panic(&file.display().to_string(), || {
                let (digest, bytes) = digest_file(file, options, trust);
                size = bytes;
                digest
            });
            let result = (digest, size);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            result
        })
        .collect();
    let mut digested = Vec::new();
    let mut skipped = Vec::new();
    let mut bytes = 0;
    for (result, size) in results {
        bytes += size;
        match result {
            Ok((digests, left_out)) => {
                digested.extend(digests);
                skipped.extend(left_out);
            }
            Err(skip) => skipped.push(skip),
        }
    }
    let (mut digests, copies) = drop_earlier_copies(digested);
    skipped.extend(copies);
    make_session_ids_unique(&mut digests);
    DigestedSessions {
        digests,
        skipped,
        bytes,
    }
}

/// A digested file with a fingerprint of each of its events, to recognise copies.
struct Digested {
    digest: SessionDigest,
    /// 32 bits per event: a false match needs every event of a file to collide (with the same
    /// session id and agent for an earlier copy, all of them for a copy under another name);
    /// half the memory of 64 (10 MB for 2.5 million events).
    event_prints: Vec<u32>,
}

/// A fingerprint of an event (who, when, the format's id, its kind, and the length, start and
/// end of its text), not of its file. Copies of a session hold identical events, so this need
/// not read every byte: hashing whole tool outputs cost a tenth of a large dream's time. A time
/// equal to the file's own modification time (`file_time`) came from the file, not the
/// transcript, and is left out.
fn event_print(event: &lucid_core::Event, file_time: Option<Timestamp>) -> u32 {
    use lucid_core::EventKind;
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    event.channel.as_str().hash(&mut hasher);
    event
        .at
        .filter(|at| Some(*at) != file_time)
        .map(|at| at.timestamp_micros())
        .hash(&mut hasher);
    event.source_id.hash(&mut hasher);
    event.kind.type_name().hash(&mut hasher);
    let text: &str = match &event.kind {
        EventKind::UserMessage { text }
        | EventKind::AgentMessage { text }
        | EventKind::Context { text, .. } => text,
        EventKind::ToolResult { content, .. } => content,
        EventKind::ToolCall { name, call_id, .. } => {
            call_id.hash(&mut hasher);
            name
        }
        EventKind::MemoryWrite { call_id, tool, .. } => {
            call_id.hash(&mut hasher);
            tool
        }
    };
    text.len().hash(&mut hasher);
    let bytes = text.as_bytes();
    bytes[..bytes.len().min(64)].hash(&mut hasher);
    bytes[bytes.len().saturating_sub(64)..].hash(&mut hasher);
    let hash = hasher.finish();
    (hash ^ (hash >> 32)) as u32
}

/// Splits files into sessions to read and earlier copies to skip: among files with the same
/// session id and agent, the longest is read, and one whose events open a longer one's is a
/// copy. Files
/// that share an id but differ are both kept (ids then made unique).
fn drop_earlier_copies(mut digested: Vec<Digested>) -> (Vec<SessionDigest>, Vec<SkippedSession>) {
    digested.sort_by(|a, b| {
        (
            a.digest.session.as_str(),
            std::cmp::Reverse(a.event_prints.len()),
            &a.digest.source,
        )
            .cmp(&(
                b.digest.session.as_str(),
                std::cmp::Reverse(b.event_prints.len()),
                &b.digest.source,
            ))
    });
    let mut kept: Vec<Digested> = Vec::new();
    let mut copies = Vec::new();
    for candidate in digested {
        let copy_of = kept
            .iter()
            .rev()
            .take_while(|k| k.digest.session == candidate.digest.session)
            .find(|k| {
                // Two agents' files that happen to share an id and an opening (ids taken from
                // file names, a template's first turns) are two sessions.
                k.digest.agent == candidate.digest.agent
                    && k.event_prints.starts_with(&candidate.event_prints)
            });
        match copy_of {
            Some(longer) => copies.push(SkippedSession {
                path: candidate.digest.source.clone(),
                reason: format!(
                    "an earlier copy of session {}: its {} events open {}, which is read instead",
                    candidate.digest.session,
                    candidate.event_prints.len(),
                    longer.digest.source
                ),
            }),
            None => kept.push(candidate),
        }
    }
    // The same transcript under another name (a task exported twice, a folder copied to
    // another branch) is one session, whatever id each file's name gave it: every event the
    // same, times and call ids included. One event is too little to tell a copy from a template.
    kept.sort_by(|a, b| a.digest.source.cmp(&b.digest.source));
    let mut first_of: std::collections::HashMap<&[u32], &str> = std::collections::HashMap::new();
    let mut duplicate = vec![false; kept.len()];
    for (index, file) in kept.iter().enumerate() {
        if file.event_prints.len() < MIN_EVENTS_OF_A_COPY {
            continue;
        }
        match first_of.get(file.event_prints.as_slice()) {
            Some(original) => {
                duplicate[index] = true;
                copies.push(SkippedSession {
                    path: file.digest.source.clone(),
                    reason: format!(
                        "the same transcript as {original} (all {} events identical), which is \
                         read instead",
                        file.event_prints.len()
                    ),
                });
            }
            None => {
                first_of.insert(&file.event_prints, &file.digest.source);
            }
        }
    }
    let digests = kept
        .into_iter()
        .zip(duplicate)
        .filter(|(_, duplicate)| !duplicate)
        .map(|(file, _)| file.digest)
        .collect();
    (digests, copies)
}

/// Events two files with different session ids must share, all of them, to be one transcript.
const MIN_EVENTS_OF_A_COPY: usize = 3;

/// Reads and imports one transcript file; the error is a reason a person can act on.
///
/// A Cline task's `api_conversation_history.json` is imported with its sibling
/// `ui_messages.json` (for times) when that file exists; an unreadable or malformed UI log only
/// costs the times.
///
/// An aider chat history is one session here, all its runs together (a dream reads each run as
/// a session of its own).
pub fn load_session(file: &Path) -> Result<lucid_core::Session, String> {
    let bytes = std::fs::read(file).map_err(|error| format!("cannot read: {error}"))?;
    let (sessions, _) = import_file(file, &bytes, modified_time(file), Runs::Together);
    sessions.and_then(|(mut sessions, _)| sessions.pop().ok_or_else(|| "no session".to_string()))
}

/// How an aider chat history, which holds every run of aider in a repository, is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Runs {
    /// One session per run (what a dream reads).
    Apart,
    /// The whole file as one session.
    Together,
}

/// A file's modification time: the time of every event of a format that records none.
fn modified_time(file: &Path) -> Option<Timestamp> {
    std::fs::metadata(file)
        .and_then(|m| m.modified())
        .ok()
        .map(Timestamp::from)
}

/// What [`import_file`] gives: the file's sessions and the garbled lines left out of it.
type Imported = (Vec<lucid_core::Session>, Vec<lucid_import::LeftOutLine>);

/// Imports the bytes of `file` (plus, for a Cline task, its UI log), modified at `modified`: its
/// sessions or why not, and how many bytes of companion files were read. A dream ([`Runs::Apart`]) reads a JSON
/// Lines transcript without a few garbled lines and names them; reading a file as one session
/// (a scan for secrets) rejects it, since the garbled line may be what it looks for.
fn import_file(
    file: &Path,
    bytes: &[u8],
    modified: Option<Timestamp>,
    runs: Runs,
) -> (Result<Imported, String>, u64) {
    let shown = file.display().to_string();
    let folder_of = |path: Option<&Path>| {
        path.and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
    };
    if is_cline_history(file) {
        // The task folder is the session; the folder above it names the agent, unless it is
        // Cline's own `tasks` folder (then the project the task worked in does).
        let task = file.parent();
        let folder = folder_of(task.and_then(Path::parent))
            .filter(|name| lucid_import::folder_names_an_agent(name));
        let ui = task.and_then(|task| {
            lucid_import::CLINE_UI_FILES
                .iter()
                .find_map(|name| std::fs::read(task.join(name)).ok())
        });
        let source = lucid_import::Source {
            path: &shown,
            folder_name: folder.as_deref(),
            folder_above: None,
            modified,
        };
        let ui_bytes = ui.as_ref().map_or(0, |ui| ui.len() as u64);
        let result = lucid_import::import_cline_task(bytes, ui.as_deref(), &source)
            .map(|session| (vec![session], Vec::new()))
            .map_err(|error| error.to_string());
        return (result, ui_bytes);
    }
    if is_markdown(file)
        && !matches!(
            lucid_import::detect_format(bytes),
            Some(
                lucid_core::TranscriptFormat::Aider
                    | lucid_core::TranscriptFormat::SpecStory
                    | lucid_core::TranscriptFormat::Cline
            )
        )
    {
        return (Err(NOT_A_MARKDOWN_TRANSCRIPT.to_string()), 0);
    }
    // A folder named by a session id (GitHub Copilot CLI's `session-state/<uuid>/events.jsonl`)
    // is the session, not an agent: the folder above it names the agent, or none does. So is
    // SpecStory's `<project>/.specstory/history/`: the project names the agent.
    let parent = file.parent();
    let in_specstory_history = folder_of(parent).as_deref() == Some("history")
        && folder_of(parent.and_then(Path::parent)).as_deref() == Some(SPECSTORY_FOLDER);
    let folder = match folder_of(parent) {
        Some(name) if lucid_import::is_uuid(&name) => folder_of(parent.and_then(Path::parent)),
        _ if in_specstory_history => {
            folder_of(parent.and_then(Path::parent).and_then(Path::parent))
        }
        other => other,
    }
    .filter(|name| lucid_import::folder_names_an_agent(name));
    // For a session neither its format, its folder nor its project names (a Gemini CLI chat in
    // a fleet's `support-bot/chats/`): the nearest of the two folders above that names one.
    let above = parent
        .iter()
        .flat_map(|folder| folder.ancestors())
        .skip(1)
        .take(2)
        .find_map(|folder| {
            folder_of(Some(folder)).filter(|name| lucid_import::folder_names_an_agent(name))
        });
    let source = lucid_import::Source {
        path: &shown,
        folder_name: folder.as_deref(),
        folder_above: above.as_deref(),
        modified,
    };
    let result = match runs {
        Runs::Apart => lucid_import::import_sessions_leaving_out_garbled_lines(bytes, &source),
        Runs::Together => {
            lucid_import::import_session(bytes, &source).map(|session| (vec![session], Vec::new()))
        }
    };
    (result.map_err(|error| error.to_string()), 0)
}

/// Why a Markdown file beside the transcripts is not read.
const NOT_A_MARKDOWN_TRANSCRIPT: &str = "Markdown that is not an aider chat transcript: a .md file is read only \
                         as aider's chat history (`#### ` lines typed by a person next to \
                         aider's `> ` output, or a `# aider chat started at` header) or as a \
                         SpecStory export (`_**User**_` / `_**Assistant**_` turns), or as \
                         Cline's task export (`**User:**` / `**Assistant:**` turns)";

fn is_markdown(file: &Path) -> bool {
    file.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

/// A file's digests, and the parts of it left out (garbled lines), each as a skip.
type DigestedFile = (Vec<Digested>, Vec<SkippedSession>);

fn digest_file(
    file: &Path,
    options: &DigestOptions,
    trust: &TrustRules,
) -> (Result<DigestedFile, SkippedSession>, u64) {
    let shown = file.display().to_string();
    let skip = |reason: String| SkippedSession {
        path: shown.clone(),
        reason,
    };
    let session_trust = trust.trust_of(file);
    if session_trust == SessionTrust::Quarantined {
        return (Err(skip("quarantined: never feeds a dream".to_string())), 0);
    }
    if trust.trusted_only && session_trust != SessionTrust::Trusted {
        return (
            Err(skip(
                "not pinned as trusted (the dream is restricted to trusted sessions)".to_string(),
            )),
            0,
        );
    }
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(error) => return (Err(skip(format!("cannot read: {error}"))), 0),
    };
    let modified = modified_time(file);
    let (result, companion_bytes) = import_file(file, &bytes, modified, Runs::Apart);
    let size = bytes.len() as u64 + companion_bytes;
    match result {
        Ok((sessions, left_out)) => {
            let left_out = left_out
                .into_iter()
                .map(|left| SkippedSession {
                    path: format!("{shown} (line {})", left.line),
                    reason: format!(
                        "{}: the line was left out, the rest of the file was read",
                        left.reason
                    ),
                })
                .collect();
            // A time the importer took from the file (a format that records none) says when the
            // file was written, not when the event happened: two copies of one transcript
            // written apart must still print the same.
            let digested = sessions
                .into_iter()
                .map(|mut session| {
                    session.trust = session_trust;
                    Digested {
                        digest: digest_session_with(&session, options),
                        event_prints: session
                            .events
                            .iter()
                            .map(|event| event_print(event, modified))
                            .collect(),
                    }
                })
                .collect();
            (Ok((digested, left_out)), size)
        }
        Err(reason) => (Err(skip(reason)), size),
    }
}

/// Two files may carry the same session id (a sub-agent's transcript, a resumed or copied
/// one); later ones get a suffix so evidence stays unambiguous, and stay in the conversation of
/// that id. When every file of an id is named by it, the id may be no more than the name a
/// format without ids gave (`.aider.chat.history.md` in two projects): each file is then a
/// conversation of its own.
fn make_session_ids_unique(digests: &mut [SessionDigest]) {
    use std::collections::HashMap;
    digests.sort_by(|a, b| a.source.cmp(&b.source));
    let named_by_file = |digest: &SessionDigest| {
        lucid_core::tools::file_name(&digest.source)
            .strip_prefix(digest.session.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    };
    // id → whether every file holding it is named by it
    let mut only_names: HashMap<String, bool> = HashMap::new();
    for digest in digests.iter() {
        *only_names.entry(digest.session.clone()).or_insert(true) &= named_by_file(digest);
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for digest in digests.iter_mut() {
        let count = seen.entry(digest.session.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            let separate = only_names.get(&digest.session).copied().unwrap_or(false)
                && digest.conversation == digest.session;
            digest.session = format!("{}#{}", digest.session, count);
            if separate {
                digest.conversation = digest.session.clone();
            }
        }
    }
}

/// Checks that `out` can receive a draft: absent or an empty directory, and neither the input
/// store nor inside it (the input store is never written).
pub fn check_output(out: &Path, store: Option<&Path>) -> Result<(), FsError> {
    let bad = |problem: &str| FsError::BadOutput {
        path: out.to_path_buf(),
        problem: problem.to_string(),
    };
    if let Ok(metadata) = std::fs::symlink_metadata(out) {
        if !metadata.is_dir() {
            return Err(bad("exists and is not a directory"));
        }
        let mut entries = std::fs::read_dir(out).map_err(|source| FsError::Write {
            path: out.to_path_buf(),
            source,
        })?;
        if entries.next().is_some() {
            return Err(bad(
                "exists and is not empty; give a new or empty directory",
            ));
        }
    }
    if let Some(store) = store {
        let store = std::fs::canonicalize(store).unwrap_or_else(|_| store.to_path_buf());
        let out_abs = absolute_lexical(out);
        if out_abs == store || out_abs.starts_with(&store) {
            return Err(bad(
                "is the input store or inside it; the input store is never written",
            ));
        }
    }
    Ok(())
}

/// Checks that `report` can receive the dream's JSON report without touching an input: not
/// inside the input store, not inside any `--sessions` path, not one of the transcripts, not
/// inside `out`; and writable (checked without truncating or leaving a file behind), so a dream
/// is refused before it runs rather than after its draft is written.
pub fn check_report(
    report: &Path,
    store: Option<&Path>,
    sessions: &[PathBuf],
    transcripts: &[PathBuf],
    out: &Path,
) -> Result<(), FsError> {
    let bad = |problem: String| FsError::BadReport {
        path: report.to_path_buf(),
        problem,
    };
    let target = absolute_lexical(report);
    let inside = |other: &Path| {
        let other = absolute_lexical(other);
        target == other || target.starts_with(&other)
    };
    if let Some(store) = store
        && inside(store)
    {
        return Err(bad(format!(
            "is inside the input store {}; the input store is never written",
            store.display()
        )));
    }
    for path in sessions.iter().chain(transcripts) {
        if inside(path) {
            return Err(bad(format!(
                "is (or is inside) the transcripts {}; inputs are never overwritten",
                path.display()
            )));
        }
    }
    if inside(out) {
        return Err(bad(format!(
            "is inside the draft folder {}; put the report beside it",
            out.display()
        )));
    }
    if std::fs::metadata(report).is_ok_and(|m| m.is_dir()) {
        return Err(bad("is a directory; give a file path".to_string()));
    }
    let parent = match report.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(bad(format!(
            "is in {}, which does not exist",
            parent.display()
        )));
    }
    // The report is written by a temporary file and a rename in this folder: check both work.
    let probe = parent.join(format!(".lucid-report-probe-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|error| bad(format!("cannot be written ({error})")))?;
    let _ = std::fs::remove_file(&probe);
    if report.exists() {
        std::fs::OpenOptions::new()
            .append(true)
            .open(report)
            .map_err(|error| bad(format!("cannot be replaced ({error})")))?;
    }
    Ok(())
}

/// An absolute form of a path that may not exist yet: its deepest existing ancestor
/// canonicalized, plus the rest.
fn absolute_lexical(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = std::fs::canonicalize(&existing) {
            let mut result = canonical;
            for part in rest.iter().rev() {
                result.push(part);
            }
            return result;
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// The temporary sibling a draft is written to before it is renamed to `out`.
pub fn staging_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "draft".to_string());
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    let staged = format!(".{name}.lucid-tmp-{}", std::process::id());
    match parent {
        Some(parent) => parent.join(staged),
        None => PathBuf::from(staged),
    }
}

/// Writes a store to `out` atomically: everything goes to [`staging_path`] first, then one
/// rename publishes it. On error the staging folder is removed.
pub fn write_store(out: &Path, store: &Store) -> Result<(), FsError> {
    let staging = staging_path(out);
    let result = write_store_to(&staging, store).and_then(|()| {
        // Renaming onto an empty directory replaces it; a missing one is created by the rename.
        if out.exists() {
            std::fs::remove_dir(out).map_err(|source| FsError::Write {
                path: out.to_path_buf(),
                source,
            })?;
        }
        std::fs::rename(&staging, out).map_err(|source| FsError::Write {
            path: out.to_path_buf(),
            source,
        })
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn write_store_to(dir: &Path, store: &Store) -> Result<(), FsError> {
    let write_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| FsError::Write { path, source }
    };
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(write_error(parent))?;
    }
    std::fs::create_dir(dir).map_err(write_error(dir))?;
    for document in &store.documents {
        lucid_core::validate_store_path(&document.path).map_err(|problem| FsError::Write {
            path: dir.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, problem),
        })?;
        let target = dir.join(document.path.trim_start_matches('/'));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(write_error(parent))?;
        }
        std::fs::write(&target, document.content.as_bytes()).map_err(write_error(&target))?;
    }
    Ok(())
}

/// Writes a file atomically (temporary sibling, then rename).
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    let staging = staging_path(path);
    std::fs::write(&staging, bytes)
        .and_then(|()| std::fs::rename(&staging, path))
        .map_err(|source| {
            let _ = std::fs::remove_file(&staging);
            FsError::Write {
                path: path.to_path_buf(),
                source,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Digests files as `lucid dream` does without options or trust pins.
    fn digest_with_defaults(files: &[PathBuf]) -> DigestedSessions {
        digest_transcripts(
            files,
            &DigestOptions::default(),
            &TrustRules::default(),
            &|_| {},
        )
    }

    /// Files beside the transcripts that are none are listed with the reason, never dropped
    /// silently; hidden files are not looked at, and a long list ends in a count.
    #[test]
    fn files_that_are_not_transcripts_are_listed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sessions = dir.path().join("sessions");
        std::fs::create_dir_all(sessions.join("deep")).expect("mkdir");
        for name in [
            "a.jsonl",
            "notes.txt",
            "deep/shot.png",
            ".DS_Store",
            "README",
        ] {
            std::fs::write(sessions.join(name), "x").expect("write");
        }
        let others = |dir: &PathBuf| {
            find_transcripts_and_others(std::slice::from_ref(dir))
                .expect("found")
                .1
        };
        let listed: Vec<(String, String)> = others(&sessions)
            .into_iter()
            .map(|s| {
                let name = Path::new(&s.path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                (name, s.reason)
            })
            .collect();
        let names: Vec<&str> = listed.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["README", "shot.png", "notes.txt"], "{listed:?}");
        // A Copilot CLI session folder's metadata and checkpoints go with its events.jsonl.
        let copilot = sessions.join("0a1b2c3d");
        std::fs::create_dir_all(copilot.join("checkpoints")).expect("mkdir");
        for name in ["events.jsonl", "workspace.yaml", "checkpoints/001-plan.md"] {
            std::fs::write(copilot.join(name), "x").expect("write");
        }
        let (files, skipped) =
            find_transcripts_and_others(std::slice::from_ref(&sessions)).expect("found");
        assert!(files.contains(&copilot.join("events.jsonl")), "{files:?}");
        assert!(
            !files.iter().any(|f| f.ends_with("001-plan.md")),
            "{files:?}"
        );
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        std::fs::remove_dir_all(&copilot).expect("rm");
        // A Claude Code session's folder beside its transcript: sub-agents are read, their
        // metadata and the offloaded tool results go with the session.
        let claude = sessions.join("5e6f7a8b");
        std::fs::create_dir_all(claude.join("subagents")).expect("mkdir");
        std::fs::create_dir_all(claude.join("tool-results")).expect("mkdir");
        for name in [
            "subagents/agent-a1.jsonl",
            "subagents/agent-a1.meta.json",
            "tool-results/toolu_01.txt",
        ] {
            std::fs::write(claude.join(name), "x").expect("write");
        }
        std::fs::write(sessions.join("5e6f7a8b.jsonl"), "x").expect("write");
        let (files, skipped) =
            find_transcripts_and_others(std::slice::from_ref(&sessions)).expect("found");
        assert!(
            files.contains(&claude.join("subagents/agent-a1.jsonl")),
            "{files:?}"
        );
        assert!(
            !files.iter().any(|f| f.ends_with("agent-a1.meta.json")),
            "{files:?}"
        );
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        std::fs::remove_dir_all(&claude).expect("rm");
        std::fs::remove_file(sessions.join("5e6f7a8b.jsonl")).expect("rm");
        assert!(
            listed[1].1.starts_with("not a transcript file (.png)"),
            "{listed:?}"
        );
        assert!(
            listed[0]
                .1
                .starts_with("not a transcript file (no extension)")
        );
        for n in 0..60 {
            std::fs::write(sessions.join(format!("log{n}.log")), "x").expect("write");
        }
        let many = others(&sessions);
        assert_eq!(many.len(), MAX_OTHER_FILES_LISTED + 1);
        assert_eq!(
            many.last().map(|s| s.path.as_str()),
            Some("(13 more files)")
        );
    }

    #[test]
    fn store_round_trips_through_a_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::new(vec![
            StoreDocument {
                path: "/team/a.md".into(),
                content: "- one\n".into(),
                updated_at: None,
                as_of: None,
            },
            StoreDocument {
                path: "/b.md".into(),
                content: "# B\n".into(),
                updated_at: None,
                as_of: None,
            },
        ]);
        let out = dir.path().join("draft");
        write_store(&out, &store).expect("write");
        assert_eq!(read_store(&out).expect("read"), store);
        assert!(!staging_path(&out).exists());
    }

    #[test]
    fn output_must_be_new_or_empty_and_outside_the_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = dir.path().join("store");
        std::fs::create_dir_all(store.join("sub")).expect("mkdir");
        std::fs::write(store.join("a.md"), "- x\n").expect("write");
        assert!(check_output(&store, Some(&store)).is_err());
        assert!(check_output(&store.join("sub"), Some(&store)).is_err());
        assert!(check_output(&store.join("new"), Some(&store)).is_err());
        assert!(check_output(&dir.path().join("draft"), Some(&store)).is_ok());
        std::fs::create_dir(dir.path().join("empty")).expect("mkdir");
        assert!(check_output(&dir.path().join("empty"), Some(&store)).is_ok());
        assert!(check_output(&store.join("a.md"), None).is_err());
    }

    /// The importer's fixtures: a Cline task folder and a SWE-agent trajectory.
    fn import_fixture(relative: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../lucid-import/tests/data")
            .join(relative)
    }

    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(from, to).expect("copy");
    }

    #[test]
    fn a_cline_task_folder_is_one_session_read_with_its_ui_log() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fleet = dir.path().join("fleet");
        let task = fleet.join("web-bot").join("1733234405000");
        let fixture = import_fixture("cline/1733234405000");
        for name in [
            "api_conversation_history.json",
            "ui_messages.json",
            "task_metadata.json",
        ] {
            copy(&fixture.join(name), &task.join(name));
        }
        std::fs::write(task.join("context_history.json"), "[]").expect("write");
        // A session of another harness put in the task's folder is no part of the task.
        std::fs::write(task.join("stray.jsonl"), "{\"not\": \"a transcript\"}\n").expect("write");
        copy(
            &import_fixture("swe_agent/django__django-11066.traj"),
            &fleet.join("swe").join("django__django-11066.traj"),
        );
        std::fs::write(fleet.join("web-bot").join("notes.md"), "# notes\n").expect("write");
        std::fs::write(fleet.join("preds.json"), "{\"foo\": 1}").expect("write");

        let files = find_transcripts(std::slice::from_ref(&fleet)).expect("found");
        let relative: Vec<String> = files
            .iter()
            .map(|f| {
                f.strip_prefix(&fleet)
                    .expect("inside")
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            relative,
            [
                "preds.json",
                "swe/django__django-11066.traj",
                "web-bot/1733234405000/api_conversation_history.json",
                "web-bot/1733234405000/stray.jsonl",
                "web-bot/notes.md"
            ],
            "the task's companions are part of it; other transcript-like files are listed"
        );

        let digested = digest_with_defaults(&files);
        let expected_skips = [
            ("preds.json", "no recognised transcript format"),
            ("stray.jsonl", "no recognised transcript format"),
            ("notes.md", "Markdown that is not an aider chat transcript"),
        ];
        assert_eq!(
            digested.skipped.len(),
            expected_skips.len(),
            "{:?}",
            digested.skipped
        );
        for (skipped, (file, reason)) in digested.skipped.iter().zip(expected_skips) {
            assert!(
                skipped.path.ends_with(file) && skipped.reason.starts_with(reason),
                "{skipped:?}"
            );
        }
        let cline = digested
            .digests
            .iter()
            .find(|d| d.format == lucid_core::TranscriptFormat::Cline)
            .expect("the Cline task");
        assert_eq!(cline.session, "1733234405000");
        assert_eq!(cline.agent, "web-bot");
        assert_eq!(
            cline.first_at,
            lucid_core::parse_timestamp("2024-12-03T14:00:05Z"),
            "times come from ui_messages.json"
        );
        let swe = digested
            .digests
            .iter()
            .find(|d| d.format == lucid_core::TranscriptFormat::SweAgent)
            .expect("the trajectory");
        assert_eq!(
            (swe.session.as_str(), swe.agent.as_str()),
            ("django__django-11066", "swe")
        );
        let ui_len = std::fs::metadata(task.join("ui_messages.json"))
            .expect("ui")
            .len();
        assert!(digested.bytes > ui_len, "the UI log's bytes are counted");

        let session = load_session(&task.join("api_conversation_history.json")).expect("loads");
        assert_eq!(
            session.events[0].at,
            lucid_core::parse_timestamp("2024-12-03T14:00:05Z")
        );
        // Without the UI log the task still imports, at the file's time.
        std::fs::remove_file(task.join("ui_messages.json")).expect("remove");
        let bare = load_session(&task.join("api_conversation_history.json")).expect("loads");
        assert_eq!(bare.events.len(), session.events.len());
        assert_ne!(bare.events[0].at, session.events[0].at);
    }

    /// Aider's Markdown (also its hidden `.aider.chat.history.md`), SpecStory's exports in a
    /// project's hidden `.specstory/`, OpenHands' JSON arrays and Copilot CLI's JSON Lines are
    /// found and read; other Markdown is reported, never dropped
    /// silently. A folder named by a session id is no agent: each Copilot session would
    /// otherwise be an agent of its own, and one person's rule said twice a team's.
    /// Each digest's format and agent, sorted.
    fn formats_and_agents(
        digested: &DigestedSessions,
    ) -> Vec<(lucid_core::TranscriptFormat, String)> {
        let mut read: Vec<(lucid_core::TranscriptFormat, String)> = digested
            .digests
            .iter()
            .map(|d| (d.format, d.agent.clone()))
            .collect();
        read.sort();
        read
    }

    #[test]
    fn aider_openhands_and_copilot_transcripts_are_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fleet = dir.path().join("fleet");
        copy(
            &import_fixture("aider/history.md"),
            &fleet.join("webshop").join(".aider.chat.history.md"),
        );
        copy(
            &import_fixture("aider/published.md"),
            &fleet.join("docs").join("flask.md"),
        );
        copy(
            &import_fixture("openhands/trajectory.json"),
            &fleet.join("openhands").join("fix-test.json"),
        );
        // Copilot CLI keeps each session in a folder named by its id: the folder above names
        // the agent.
        copy(
            &import_fixture("copilot_cli/events.jsonl"),
            &fleet
                .join("copilot")
                .join("5b1e0c2a-7d3f-4e8a-9c61-2f0d8a4b7e19")
                .join("events.jsonl"),
        );
        std::fs::write(
            fleet.join("docs").join("README.md"),
            "# Transcripts

#### How to read them

> quoted
",
        )
        .expect("write");
        std::fs::write(
            fleet.join("docs").join(".notes.md"),
            "# hidden
",
        )
        .expect("write");
        // SpecStory saves its exports in the project's hidden `.specstory/history/`: found;
        // another hidden folder (a tool's cache) is not looked at.
        copy(
            &import_fixture("specstory/history.md"),
            &fleet
                .join("webshop")
                .join(".specstory")
                .join("history")
                .join("2025-05-14_10-02-11Z-fix-the-flaky-checkout-test.md"),
        );
        copy(
            &import_fixture("copilot_cli/events.jsonl"),
            &fleet.join("webshop").join(".cache").join("events.jsonl"),
        );

        let files = find_transcripts(std::slice::from_ref(&fleet)).expect("found");
        let names: Vec<String> = files
            .iter()
            .map(|f| {
                f.strip_prefix(&fleet)
                    .expect("inside")
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            names,
            [
                "copilot/5b1e0c2a-7d3f-4e8a-9c61-2f0d8a4b7e19/events.jsonl",
                "docs/README.md",
                "docs/flask.md",
                "openhands/fix-test.json",
                "webshop/.aider.chat.history.md",
                "webshop/.specstory/history/2025-05-14_10-02-11Z-fix-the-flaky-checkout-test.md"
            ],
            "aider's hidden history and SpecStory's hidden folder are found; other hidden \
             files and folders are not"
        );
        let digested = digest_with_defaults(&files);
        assert_eq!(digested.skipped.len(), 1, "{:?}", digested.skipped);
        assert!(digested.skipped[0].path.ends_with("README.md"));
        assert!(
            digested.skipped[0]
                .reason
                .starts_with("Markdown that is not an aider chat transcript"),
            "{}",
            digested.skipped[0].reason
        );
        let read = formats_and_agents(&digested);
        use lucid_core::TranscriptFormat::{Aider, CopilotCli, OpenHands, SpecStory};
        assert_eq!(
            read,
            [
                (Aider, "docs".to_string()),
                // Two runs of aider in one history: two sessions.
                (Aider, "webshop".to_string()),
                (Aider, "webshop".to_string()),
                (OpenHands, "openhands".to_string()),
                (CopilotCli, "copilot".to_string()),
                // The project above `.specstory/history/` names the agent.
                (SpecStory, "webshop".to_string()),
            ]
        );
    }

    /// Codex files its rollouts by date (`~/.codex/sessions/2025/08/22/`) and Entire its
    /// checkpoints by id (`57/e8437ebd48/0/full.jsonl`): neither folder is an agent, so the
    /// project each session ran in names it. A fleet's own folder above a harness's store
    /// (`support-bot/chats/`) still does.
    #[test]
    fn folders_that_file_sessions_by_date_or_id_do_not_name_the_agent() {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("home");
        copy(
            &import_fixture("openai_responses/rollout.jsonl"),
            &home
                .join(".codex")
                .join("sessions")
                .join("2025")
                .join("08")
                .join("22")
                .join("rollout-2025-08-22T10-00-00-probe.jsonl"),
        );
        copy(
            &import_fixture("claude_code/session.jsonl"),
            &home
                .join("checkpoints")
                .join("57")
                .join("e8437ebd48")
                .join("0")
                .join("full.jsonl"),
        );
        copy(
            &import_fixture("gemini_cli/chat.json"),
            &home
                .join("support-bot")
                .join("chats")
                .join("session-2025-08-22T10-00-probe.json"),
        );
        // A search of the home folder leaves hidden folders out: Codex's is named.
        let codex_sessions = home.join(".codex").join("sessions");
        let files = find_transcripts(&[home.clone(), codex_sessions]).expect("found");
        let digested = digest_with_defaults(&files);
        assert!(digested.skipped.is_empty(), "{:?}", digested.skipped);
        let read = formats_and_agents(&digested);
        use lucid_core::TranscriptFormat::{ClaudeCode, GeminiCli, OpenaiResponses};
        assert_eq!(
            read,
            [
                // The working folders the fixtures record: `/home/dev/app`, `/home/dev/repo`.
                (ClaudeCode, "app".to_string()),
                (OpenaiResponses, "repo".to_string()),
                (GeminiCli, "support-bot".to_string()),
            ]
        );
    }

    #[test]
    fn a_garbled_line_is_left_out_and_named_while_the_rest_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let line = |i: usize| {
            format!(
                "{{\"type\":\"user\",\"sessionId\":\"s1\",\"uuid\":\"u{i}\",\"message\":\
                 {{\"role\":\"user\",\"content\":\"message {i}\"}}}}"
            )
        };
        let mut lines: Vec<String> = (1..=12).map(line).collect();
        lines[6] = "d\":\"u7\",\"message\":{\"ro".to_string();
        let file = dir.path().join("s1.jsonl");
        std::fs::write(&file, lines.join("\n")).expect("write");
        let digested = digest_with_defaults(std::slice::from_ref(&file));
        assert_eq!(digested.digests.len(), 1, "the session is read");
        assert_eq!(digested.digests[0].events, 11);
        assert_eq!(digested.skipped.len(), 1, "{:?}", digested.skipped);
        assert!(digested.skipped[0].path.ends_with("s1.jsonl (line 7)"));
        assert!(
            digested.skipped[0]
                .reason
                .ends_with("the line was left out, the rest of the file was read"),
            "{}",
            digested.skipped[0].reason
        );
        // Read as one session (a scan for secrets), the file is refused: the garbled line may
        // hold what the scan looks for.
        let refused = load_session(&file).expect_err("refused");
        assert!(refused.starts_with("line 7:"), "{refused}");
    }

    #[test]
    fn non_text_store_files_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("bin.md"), [0xff, 0xfe, 0x00]).expect("write");
        assert!(matches!(
            read_store(dir.path()),
            Err(FsError::StoreFileNotText { .. })
        ));
    }

    /// A task exported twice, or a folder copied to another branch, holds the same transcript
    /// under another name: one session, not two for a pattern to recur in. A transcript that
    /// only shares its opening with another is its own session.
    #[test]
    fn the_same_transcript_under_two_names_is_read_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let turn = |role: &str, text: &str| {
            format!(r#"{{"role":"{role}","content":[{{"type":"text","text":"{text}"}}]}}"#)
        };
        let opening = [
            turn("user", "<task>Add meta files</task>"),
            turn("assistant", "I will generate them."),
            turn(
                "user",
                "[execute_command] Result: bash: uuidgen: command not found",
            ),
        ];
        let copy = format!("[{}]", opening.join(","));
        let longer = format!(
            "[{},{}]",
            opening.join(","),
            turn("assistant", "I will write the GUIDs by hand.")
        );
        // The copy was written a minute after the original: a format without times takes
        // each event's time from its file, and that must not tell the two apart.
        let written = std::time::SystemTime::now();
        for (task, text, minutes) in [
            ("export-a", &copy, 0),
            ("export-b", &copy, 1),
            ("export-c", &longer, 2),
        ] {
            let folder = dir.path().join("cline").join(task);
            std::fs::create_dir_all(&folder).expect("mkdir");
            let path = folder.join("api_conversation_history.json");
            std::fs::write(&path, text).expect("write");
            std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|file| {
                    file.set_modified(written + std::time::Duration::from_secs(60 * minutes))
                })
                .expect("set the modification time");
        }
        let files = find_transcripts(&[dir.path().to_path_buf()]).expect("found");
        assert_eq!(files.len(), 3);
        let digested = digest_with_defaults(&files);
        assert_eq!(digested.skipped.len(), 1, "{:?}", digested.skipped);
        assert!(
            digested.skipped[0].path.contains("export-b"),
            "{:?}",
            digested.skipped
        );
        assert!(
            digested.skipped[0]
                .reason
                .starts_with("the same transcript as ")
                && digested.skipped[0].reason.contains("export-a")
                && digested.skipped[0]
                    .reason
                    .contains("all 3 events identical"),
            "{}",
            digested.skipped[0].reason
        );
        let mut read: Vec<usize> = digested.digests.iter().map(|d| d.events).collect();
        read.sort();
        assert_eq!(
            read,
            [3, 4],
            "the copy and the longer transcript are both read"
        );
    }

    /// A sub-agent's file carries its parent's id: one conversation. Files that only share a
    /// name (a format without ids names a session by its file) are separate ones.
    #[test]
    fn files_of_one_id_are_one_conversation_unless_only_their_names_agree() {
        let dir = tempfile::tempdir().expect("tempdir");
        let record = |session: Option<&str>, sidechain: bool, text: &str| {
            let id = session.map_or(String::new(), |id| format!("\"sessionId\":\"{id}\","));
            format!(
                "{{\"type\":\"user\",{id}\"isSidechain\":{sidechain},\"uuid\":\"{}\",\
                 \"timestamp\":\"2026-03-20T17:00:00Z\",\"message\":{{\"role\":\"user\",\
                 \"content\":\"{text}\"}}}}\n",
                text.len()
            )
        };
        for (folder, name, text) in [
            (
                "bot",
                "u1.jsonl",
                record(Some("u1"), false, "Run the linter first."),
            ),
            (
                "bot",
                "agent-7.jsonl",
                record(Some("u1"), true, "Search the docs."),
            ),
            (
                "a",
                "notes.jsonl",
                record(None, false, "Deploy on Fridays."),
            ),
            (
                "b",
                "notes.jsonl",
                record(None, false, "Deploy on Mondays please."),
            ),
        ] {
            let folder = dir.path().join(folder);
            std::fs::create_dir_all(&folder).expect("mkdir");
            std::fs::write(folder.join(name), text).expect("write");
        }
        let files = find_transcripts(&[dir.path().to_path_buf()]).expect("found");
        let digested = digest_with_defaults(&files);
        let mut read: Vec<(String, String)> = digested
            .digests
            .iter()
            .map(|d| (d.session.clone(), d.conversation.clone()))
            .collect();
        read.sort();
        let pair = |s: &str, c: &str| (s.to_string(), c.to_string());
        assert_eq!(
            read,
            [
                pair("notes", "notes"),
                pair("notes#2", "notes#2"),
                pair("u1", "u1"),
                pair("u1#2", "u1"),
            ]
        );
    }

    /// Checkpoint tools keep one snapshot of a growing transcript per step: the earlier
    /// snapshots are the same session, not more sessions for a pattern to recur in.
    #[test]
    fn earlier_copies_of_a_session_are_skipped_and_lookalikes_are_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let line = |uuid: &str, role: &str, text: &str| {
            format!(
                "{{\"type\":\"{role}\",\"sessionId\":\"s-1\",\"uuid\":\"{uuid}\",\"timestamp\":\"2026-03-20T17:0{}:00Z\",\"message\":{{\"role\":\"{role}\",\"content\":\"{text}\"}}}}\n",
                uuid.len() % 10
            )
        };
        let opening = line("u1", "user", "Always run the linter before pushing.")
            + &line("a22", "assistant", "Noted.");
        let full = opening.clone() + &line("u333", "user", "Then push the branch.");
        let other = line("u1", "user", "A different first turn.");
        let agent = dir.path().join("bot");
        std::fs::create_dir_all(&agent).expect("mkdir");
        for (name, text) in [
            ("1.jsonl", &opening),
            ("2.jsonl", &full),
            ("3.jsonl", &other),
        ] {
            std::fs::write(agent.join(name), text).expect("write");
        }
        let files = find_transcripts(&[dir.path().to_path_buf()]).expect("found");
        let digested = digest_with_defaults(&files);
        assert_eq!(digested.skipped.len(), 1, "{:?}", digested.skipped);
        assert!(digested.skipped[0].path.ends_with("1.jsonl"));
        assert!(
            digested.skipped[0]
                .reason
                .contains("an earlier copy of session s-1")
                && digested.skipped[0].reason.contains("2.jsonl"),
            "{}",
            digested.skipped[0].reason
        );
        // The longest copy is read; a file with the same id but other events is its own
        // session for evidence (its id made unique) and part of the same conversation for
        // recurrence (a sub-agent's transcript, a resumed session).
        let mut read: Vec<(String, &str, usize)> = digested
            .digests
            .iter()
            .map(|d| (d.session.clone(), d.conversation.as_str(), d.events))
            .collect();
        read.sort();
        assert_eq!(
            read,
            [
                ("s-1".to_string(), "s-1", 3),
                ("s-1#2".to_string(), "s-1", 1)
            ]
        );
    }
}
