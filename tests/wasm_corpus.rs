//! The malformed-input corpus read by the core compiled to WebAssembly:
//! every bad file must give its one expected error, or read without error
//! where only the prediction reports it (missing entries), and none may
//! trap. Run by `scripts/test.sh` in headless Chromium after
//! `cargo test --test wasm_parity_fixture` has written
//! `target/wasm-corpus/fixture.json`.

#![cfg(target_arch = "wasm32")]

use deepxs::input::{read_input, ReadOptions};
use serde_json::Value;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/target/wasm-corpus/fixture.json"));

fn unhex(text: &str) -> Vec<u8> {
    text.as_bytes()
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).expect("ASCII hex"), 16).expect("hex digit pair"))
        .collect()
}

/// Collects the whole-input error, or the errors of single rows in row order.
fn error_messages(file: &str, bytes: &[u8]) -> Vec<String> {
    match read_input(file, bytes, ReadOptions::default()) {
        Err(error) => vec![error.to_string()],
        Ok(batch) => batch.rows.iter().filter_map(|row| row.as_ref().err()).map(ToString::to_string).collect(),
    }
}

#[wasm_bindgen_test]
fn corpus_errors_match_native() {
    let files: Value = serde_json::from_str(FIXTURE).expect("fixture is JSON");
    let files = files.as_array().expect("array of files");
    let mut mismatches = Vec::new();
    for entry in files {
        let file = entry["file"].as_str().expect("file name");
        let bytes = unhex(entry["bytes"].as_str().expect("hex bytes"));
        let expected = entry["expected"].as_str().expect("expected text");
        let messages = error_messages(file, &bytes);
        match entry["kind"].as_str().expect("kind") {
            "error" => {
                if messages.len() != 1 || !messages[0].contains(expected) {
                    mismatches.push(format!("{file}: expected one error containing '{expected}', got {messages:?}"));
                }
            }
            _ => {
                if !messages.is_empty() {
                    mismatches.push(format!("{file}: expected no read error, got {messages:?}"));
                }
            }
        }
    }
    console_log!("wasm corpus: {} files, {} mismatches", files.len(), mismatches.len());
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[wasm_bindgen_test]
fn megabyte_line_rejected_in_wasm() {
    let line = format!("BLOCK MASS\n 1000024 {}\n", "1".repeat(1 << 20));
    let messages = error_messages("long.slha", line.as_bytes());
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("long.slha:2"), "{messages:?}");
    assert!(messages[0].contains("bytes long"), "{messages:?}");
}
