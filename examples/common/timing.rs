//! Helpers shared by the timing examples: process CPU time and the
//! reference data folder.

use std::path::PathBuf;

/// Returns the user plus system CPU time of this process in seconds (Linux
/// only; the kernel counts in ticks of 10 ms).
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index).and_then(|value| value.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Returns the reference data folder: `$DEEPXS_SHARED/reference`, by
/// default `../shared/reference` next to the crate.
pub fn reference_dir() -> PathBuf {
    std::env::var_os("DEEPXS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
        .join("reference")
}
