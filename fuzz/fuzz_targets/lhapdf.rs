//! The LHAPDF6 reader on any pair of texts: the input is the `.info` text,
//! a NUL byte, then the `_0000.dat` text. Successful sets are also
//! evaluated at a few points, which must not panic.
#![no_main]

use deepxs::physics::PdfSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let (info, data) = text.split_once('\0').unwrap_or((text, ""));
    if let Ok(set) = PdfSet::from_lhapdf_strings(info, data, "fuzz_0000.dat") {
        for (x, q_gev) in [(1e-7, 1.0), (1e-3, 100.0), (0.5, 1500.0), (1.0, 1e5)] {
            let _ = set.slice_at(q_gev).xf_all(x);
        }
    }
});
