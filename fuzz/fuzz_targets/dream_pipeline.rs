//! Fuzzes the whole engine on one input: the bytes are a transcript (any format) and, split at
//! the first NUL byte, a store document. Import, digest and curation never panic, and the draft
//! never holds a document path the store could not hold.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lucid_core::{DreamOptions, Store, StoreDocument};

fuzz_target!(|data: &[u8]| {
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
    }]);
    if let Ok(output) = lucid_core::dream(&store, digests, Vec::new(), &DreamOptions::default()) {
        for document in &output.draft.documents {
            assert!(lucid_core::validate_store_path(&document.path).is_ok(), "{}", document.path);
        }
    }
});
