//! Helpers shared by the integration tests: where the reference data lives
//! and how a test behaves when it is absent.

#![allow(dead_code)]

pub mod tiny_weights;

use std::path::PathBuf;

use deepxs::pipeline::WeightSet;

/// The reference-data folder: `$DEEPXS_SHARED/reference`, by default
/// `../shared/reference` next to the crate. Returns `None` (after printing
/// why) when it is absent, and panics when `DEEPXS_REQUIRE_REFERENCE=1`,
/// so CI cannot pass by skipping.
pub fn reference_dir(test: &str) -> Option<PathBuf> {
    let shared = std::env::var_os("DEEPXS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let reference = shared.join("reference");
    if reference.is_dir() {
        return Some(reference);
    }
    if std::env::var("DEEPXS_REQUIRE_REFERENCE").as_deref() == Ok("1") {
        panic!("{test}: reference data not found at {} but DEEPXS_REQUIRE_REFERENCE=1", reference.display());
    }
    eprintln!("{test}: skipped, reference data not found at {} (set DEEPXS_SHARED)", reference.display());
    None
}

/// Loads the DeepXS reference networks from the reference folder.
pub fn reference_weights(reference: &std::path::Path) -> WeightSet {
    let directory = reference.join("deepxs/networks");
    let manifest = std::fs::read_to_string(directory.join("manifest.json")).expect("reference manifest is readable");
    WeightSet::load(&manifest, &mut |name| {
        std::fs::read(directory.join(format!("{name}.safetensors"))).map_err(|error| error.to_string())
    })
    .expect("reference networks load")
}

/// Reads a CSV file with a header into rows of (column name → text).
pub fn read_table(path: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).expect("table is readable");
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().expect("header").split(',').map(str::to_string).collect();
    lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| header.iter().cloned().zip(line.split(',').map(str::to_string)).collect())
        .collect()
}

/// |a/b − 1|.
pub fn relative_difference(a: f64, b: f64) -> f64 {
    (a / b - 1.0).abs()
}

/// Fills the eight mixing entries of `values` (U row 1, V row 1, N row 2)
/// with random rows of unit norm, drawing from `rng` in a fixed order.
pub fn random_mixing_rows(rng: &mut impl rand::RngExt, values: &mut [f64; 19]) {
    let u: f64 = rng.random_range(0.0..std::f64::consts::TAU);
    let v: f64 = rng.random_range(0.0..std::f64::consts::TAU);
    values[..4].copy_from_slice(&[u.cos(), u.sin(), v.cos(), v.sin()]);
    let n: [f64; 4] = std::array::from_fn(|_| rng.random_range(-1.0..1.0));
    let norm = n.iter().map(|x| x * x).sum::<f64>().sqrt();
    for (slot, x) in values[4..8].iter_mut().zip(n) {
        *slot = x / norm;
    }
}
