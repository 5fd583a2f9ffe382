//! Fuzzes the openhands importer: any bytes give a session or an error, never a panic, and a
//! session's events are numbered in order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lucid_core::TranscriptFormat;

fuzz_target!(|data: &[u8]| {
    let source = lucid_import::Source::new("fuzz/agent/input.json");
    if let Ok(session) = lucid_import::import_session_as(TranscriptFormat::OpenHands, data, &source) {
        for (position, event) in session.events.iter().enumerate() {
            assert_eq!(event.index, position);
        }
        let _ = lucid_core::digest_session(&session);
    }
});
