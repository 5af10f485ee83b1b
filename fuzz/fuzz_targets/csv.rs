//! The CSV reader on any UTF-8 text, without format detection.
#![no_main]

use deepxs::input::parse_csv;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let _ = parse_csv("fuzz.csv", text);
});
