//! The SLHA reader on any UTF-8 text, with and without format detection.
#![no_main]

use deepxs::input::{parse_slha, read_input, ReadOptions};
use deepxs::slha::SlhaDocument;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = read_input("fuzz.slha", bytes, ReadOptions::default());
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let _ = parse_slha("fuzz.slha", text);
    // Every block read as a numeric block of 1 and 2 indices, so that odd
    // content in any block reaches the number and index parsers.
    if let Ok(document) = SlhaDocument::parse("fuzz.slha", text) {
        for block in document.blocks() {
            let _ = document.read_numeric_block(block, 1);
            let _ = document.read_numeric_block(block, 2);
        }
        let _ = document.text_entries("SPINFO", 4);
    }
});
