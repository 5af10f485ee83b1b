//! The array reader on any UTF-8 text; the first byte picks the layout
//! option, so inferred and fixed layouts are both reached.
#![no_main]

use deepxs::input::{parse_array, ArrayLayout};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Some((&selector, rest)) = bytes.split_first() else { return };
    let layout = match selector % 4 {
        0 => None,
        1 => Some(ArrayLayout::Chargino),
        2 => Some(ArrayLayout::Neutralino),
        _ => Some(ArrayLayout::Full),
    };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let _ = parse_array("fuzz.dat", text, layout);
});
