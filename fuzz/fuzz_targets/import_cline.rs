//! Fuzzes the cline importer: any bytes give a session or an error, never a panic, and a
//! session's events are numbered in order. Input with a NUL byte is a task folder: the bytes
//! before it are `api_conversation_history.json`, the bytes after it `ui_messages.json`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lucid_core::TranscriptFormat;

fuzz_target!(|data: &[u8]| {
    let source = lucid_import::Source::new("fuzz/agent/1733234405000/api_conversation_history.json");
    let result = match data.iter().position(|byte| *byte == 0) {
        Some(cut) => {
            let (api, ui) = data.split_at(cut);
            lucid_import::import_cline_task(api, ui.get(1..), &source)
        }
        None => lucid_import::import_session_as(TranscriptFormat::Cline, data, &source),
    };
    if let Ok(session) = result {
        for (position, event) in session.events.iter().enumerate() {
            assert_eq!(event.index, position);
        }
        let _ = lucid_core::digest_session(&session);
    }
});
