//! Every number the built-in curator decides with, in one documented place.
//!
//! Rules elsewhere read these fields instead of writing numbers inline, so a change of policy
//! is one edit here and the tests that pin it.

/// The curator's thresholds. [`Thresholds::default`] is what `lucid dream` uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// A statement shorter than this (characters) is a fragment.
    pub min_statement_chars: usize,
    /// A "statement" longer than this (characters) is a paste or a paragraph, not one memory.
    pub max_statement_chars: usize,
    /// A statement needs at least this many words with a letter in them.
    pub min_statement_words: usize,
    /// Messages longer than this (bytes) are pastes: no statement is taken from them.
    pub max_message_bytes: usize,
    /// A sentence seen in at least this many sessions, inside a block of such sentences, is
    /// template text (a system prompt, a task template, a footer).
    pub template_min_sessions: usize,
    /// How many recurring sentences one message needs before they count as a template block.
    pub template_min_block: usize,
    /// A block this long (sentences) recurring in only two sessions is a template too: no one
    /// types so many sentences the same way twice; a prepared prompt or a command's text
    /// (OpenCode's `/commit_all`) is pasted.
    pub template_long_block: usize,
    /// A pattern (a workaround, a workflow, a repeated instruction) needs this many sessions.
    pub pattern_min_sessions: usize,
    /// A failure that nothing answered is a lesson ("keeps failing; none got past it") only when
    /// this many sessions ran into it: more than a workaround needs, since no fix confirms it.
    pub blocker_min_sessions: usize,
    /// The share of the successful sessions of the agents that take a workflow it must be seen
    /// in (and at least [`Thresholds::pattern_min_sessions`], at most
    /// [`Thresholds::workflow_max_sessions_needed`]): 3 of 15 or 20 sessions, 2 of 10. Among
    /// twenty sessions of one agent, two sharing three steps is a coincidence of the work.
    pub workflow_min_share: f64,
    /// The most sessions a workflow needs, whatever the share: a generated fleet of 100 sessions
    /// plants workflows in 3–4 sessions of an agent's 17.
    pub workflow_max_sessions_needed: usize,
    /// At most this many workflows are written per dream (the best supported).
    pub max_workflows: usize,
    /// Later tool calls searched for the call that fixed a failure.
    pub follow_up_window: usize,
    /// Harness sentences kept per session to recognise restated instructions.
    pub max_harness_sentences: usize,
    /// Skipped candidates listed in the report per session at most (the rest are counted).
    pub max_skipped_per_session: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            min_statement_chars: 12,
            max_statement_chars: 400,
            min_statement_words: 3,
            max_message_bytes: 8_000,
            template_min_sessions: 3,
            template_min_block: 3,
            template_long_block: 6,
            pattern_min_sessions: 2,
            blocker_min_sessions: 3,
            workflow_min_share: 0.15,
            workflow_max_sessions_needed: 3,
            max_workflows: 20,
            follow_up_window: 8,
            max_harness_sentences: 400,
            max_skipped_per_session: 40,
        }
    }
}
