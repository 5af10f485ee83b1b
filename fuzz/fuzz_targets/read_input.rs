//! Any bytes through format detection and the matching reader.
#![no_main]

use deepxs::input::{read_input, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = read_input("fuzz.in", bytes, ReadOptions::default());
});
