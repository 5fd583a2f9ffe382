//! Fuzzes the Markdown store reader and writer: any text parses, and writing back what was read
//! loses and invents no content — every character other than whitespace and the `#` of heading
//! markers survives, as many times as it appeared. (Unchanged documents are written back byte
//! for byte; this is the guarantee for documents the curator changes.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use lucid_core::markdown::{parse_blocks, render_blocks};

fn content(text: &str) -> Vec<char> {
    let mut chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace() && *c != '#').collect();
    chars.sort_unstable();
    chars
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let written = render_blocks(&parse_blocks(text));
    assert_eq!(content(text), content(&written), "content changed:\n{text:?}\n{written:?}");
});
