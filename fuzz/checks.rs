//! The property each fuzz target checks, as plain functions: the targets in `fuzz_targets/`
//! call them under libFuzzer, and `cargo test` replays the checked-in seeds (`fuzz/corpus/`)
//! through them (`crates/lucid-import/tests/fuzz_seeds.rs`), so a seed that once crashed keeps
//! being checked without cargo-fuzz or a nightly toolchain.
//!
//! Each fuzz target uses one of these functions (`#[path]` includes the file), hence the
//! `dead_code` allowance.
#![allow(
    dead_code,
    reason = "each fuzz target uses one check; the seed replay uses all"
)]

use lucid_core::TranscriptFormat;
use lucid_core::markdown::{parse_blocks, render_blocks};
use lucid_core::{DreamOptions, Store, StoreDocument};

/// Every fuzz target, by its `fuzz/corpus/` folder name.
pub const TARGETS: &[&str] = &[
    "dream_pipeline",
    "import_aider",
    "import_anthropic_messages",
    "import_antigravity",
    "import_claude_code",
    "import_cline",
    "import_copilot_cli",
    "import_gemini_cli",
    "import_managed_agents",
    "import_openai_chat",
    "import_openai_responses",
    "import_openclaw",
    "import_opencode",
    "import_openhands",
    "import_specstory",
    "import_swe_agent",
    "markdown_store",
];

/// Runs `target`'s check on `data` (panics where the property fails, as under libFuzzer).
pub fn check(target: &str, data: &[u8]) {
    match target {
        "dream_pipeline" => dream_pipeline(data),
        "markdown_store" => markdown_store(data),
        "import_cline" => import_cline(data),
        "import_aider" => {
            import(
                TranscriptFormat::Aider,
                "fuzz/agent/.aider.chat.history.md",
                data,
            );
            // Each run of aider as a session of its own, as a dream reads the file.
            let source = lucid_import::Source::new("fuzz/agent/.aider.chat.history.md");
            if let Ok(sessions) = lucid_import::import_sessions(data, &source) {
                for session in &sessions {
                    check_session(session);
                }
            }
        }
        "import_anthropic_messages" => import(
            TranscriptFormat::AnthropicMessages,
            "fuzz/agent/input.jsonl",
            data,
        ),
        "import_claude_code" => {
            import(TranscriptFormat::ClaudeCode, "fuzz/agent/input.jsonl", data)
        }
        "import_copilot_cli" => import(
            TranscriptFormat::CopilotCli,
            "fuzz/agent/events.jsonl",
            data,
        ),
        "import_gemini_cli" => import(TranscriptFormat::GeminiCli, "fuzz/agent/session.json", data),
        "import_managed_agents" => import(
            TranscriptFormat::ManagedAgents,
            "fuzz/agent/input.jsonl",
            data,
        ),
        "import_openai_chat" => {
            import(TranscriptFormat::OpenaiChat, "fuzz/agent/input.jsonl", data)
        }
        "import_openai_responses" => import(
            TranscriptFormat::OpenaiResponses,
            "fuzz/agent/input.jsonl",
            data,
        ),
        "import_openhands" => import(TranscriptFormat::OpenHands, "fuzz/agent/input.json", data),
        "import_opencode" => import(TranscriptFormat::OpenCode, "fuzz/agent/session.json", data),
        "import_specstory" => import(TranscriptFormat::SpecStory, "fuzz/agent/history.md", data),
        "import_swe_agent" => import(TranscriptFormat::SweAgent, "fuzz/agent/input.traj", data),
        "import_antigravity" => import(
            TranscriptFormat::Antigravity,
            "fuzz/agent/transcript.jsonl",
            data,
        ),
        "import_openclaw" => import(TranscriptFormat::OpenClaw, "fuzz/agent/session.jsonl", data),
        other => panic!("no fuzz check named {other}"),
    }
}

/// An importer: any bytes give a session or an error, never a panic; a session's events are
/// numbered in order and digest without a panic.
pub fn import(format: TranscriptFormat, file: &str, data: &[u8]) {
    let source = lucid_import::Source::new(file);
    if let Ok(session) = lucid_import::import_session_as(format, data, &source) {
        check_session(&session);
    }
}

/// The cline importer; input with a NUL byte is a task folder: the bytes before it are
/// `api_conversation_history.json`, the bytes after it `ui_messages.json`.
pub fn import_cline(data: &[u8]) {
    let source =
        lucid_import::Source::new("fuzz/agent/1733234405000/api_conversation_history.json");
    let result = match data.iter().position(|byte| *byte == 0) {
        Some(cut) => {
            let (api, ui) = data.split_at(cut);
            lucid_import::import_cline_task(api, ui.get(1..), &source)
        }
        None => lucid_import::import_session_as(TranscriptFormat::Cline, data, &source),
    };
    if let Ok(session) = result {
        check_session(&session);
    }
}

fn check_session(session: &lucid_core::Session) {
    for (position, event) in session.events.iter().enumerate() {
        assert_eq!(event.index, position);
    }
    let _ = lucid_core::digest_session(session);
}

/// The whole engine on one input: the bytes are a transcript (any format) and, split at the
/// first NUL byte, a store document. Import, digest and curation never panic, and the draft
/// never holds a document path the store could not hold.
pub fn dream_pipeline(data: &[u8]) {
    let (transcript, document) = match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let source = lucid_import::Source::new("fuzz/agent/input.jsonl");
    let mut digests = Vec::new();
    if let Ok(session) = lucid_import::import_session(transcript, &source) {
        digests.push(lucid_core::digest_session(&session));
    }
    let store = Store::new(vec![StoreDocument {
        path: "/notes.md".into(),
        content: String::from_utf8_lossy(document).into_owned(),
        updated_at: None,
        as_of: None,
    }]);
    if let Ok(output) = lucid_core::dream(&store, digests, Vec::new(), &DreamOptions::default()) {
        for document in &output.draft.documents {
            assert!(
                lucid_core::validate_store_path(&document.path).is_ok(),
                "{}",
                document.path
            );
        }
    }
}

/// The Markdown store reader and writer: any text parses, and writing back what was read loses
/// and invents no content — every character other than whitespace and the `#` of heading
/// markers survives, as many times as it appeared.
pub fn markdown_store(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let written = render_blocks(&parse_blocks(text));
    assert_eq!(
        content(text),
        content(&written),
        "content changed:\n{text:?}\n{written:?}"
    );
}

fn content(text: &str) -> Vec<char> {
    let mut chars: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '#')
        .collect();
    chars.sort_unstable();
    chars
}
