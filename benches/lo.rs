//! Speed of the exact leading-order engine: one spectrum, one pair per
//! iteration, with the CTEQ6L1 grid from the shared reference data when it is
//! present and a generated grid of the same size otherwise.
//!
//! Run with `cargo bench --bench lo`. The target is ≤ 100 µs per pair and
//! point on one core. Criterion reports wall time, which overstates the
//! cost on a machine shared with other jobs.

use std::path::Path;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use deepxs::physics::{LoEngine, Pair, PdfSet};
use deepxs::spectrum::Spectrum;

fn load_pdf() -> PdfSet {
    let shared = std::env::var_os("DEEPXS_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let dir = shared.join("reference/pdf/cteq6l1");
    if let (Ok(info), Ok(data)) = (
        std::fs::read_to_string(dir.join("cteq6l1.info")),
        std::fs::read_to_string(dir.join("cteq6l1_0000.dat")),
    ) {
        return PdfSet::from_lhapdf_strings(&info, &data, "cteq6l1_0000.dat").expect("valid CTEQ6L1 grid");
    }
    eprintln!("CTEQ6L1 grid not found under {}; using a generated grid", dir.display());
    PdfSet::from_lhapdf_strings("Format: lhagrid1\n", &generated_grid(), "generated.dat").expect("valid generated grid")
}

/// Builds a smooth grid with the knot counts of CTEQ6L1 (381 x, 160 Q).
fn generated_grid() -> String {
    let xs: Vec<f64> = (0..381).map(|i| 1e-6 * 1e6_f64.powf(i as f64 / 380.0)).collect();
    let qs: Vec<f64> = (0..160).map(|i| 1.3 * (1e4_f64 / 1.3).powf(i as f64 / 159.0)).collect();
    let join = |values: &[f64]| values.iter().map(|v| format!("{v:e}")).collect::<Vec<_>>().join(" ");
    let mut text = format!("Format: lhagrid1\n---\n{}\n{}\n-5 -4 -3 -2 -1 1 2 3 4 5 21\n", join(&xs), join(&qs));
    for x in &xs {
        for q in &qs {
            let shape = x.powf(0.5) * (1.0 - x).powi(3) * (1.0 + 0.1 * q.ln());
            text += &join(&[shape; 11]);
            text.push('\n');
        }
    }
    text + "---\n"
}

/// Returns a hand-made mixed spectrum with the lightest electroweakinos near
/// 415 GeV and squarks at 2.1–3.3 TeV.
fn spectrum() -> Spectrum {
    Spectrum {
        neutralino_mass_gev: [412.0, -419.5, 1650.0, 2900.0],
        nmix: [
            [-0.0200, 0.0600, -0.7060, 0.7050],
            [-0.0080, 0.0200, 0.7070, 0.7070],
            [-0.0020, -0.9980, -0.0300, 0.0500],
            [-0.9997, 0.0010, 0.0080, -0.0200],
        ],
        chargino_mass_gev: [415.0, 1650.0],
        umix: [[-0.0450, 0.9990], [-0.9990, -0.0450]],
        vmix: [[-0.0800, 0.9968], [-0.9968, -0.0800]],
        squark_mass_gev: [3300.0, 2900.0, 2100.0, 3299.0, 3300.0, 2900.0, 3299.0, 2100.0],
        gluino_mass_gev: 900.0,
    }
}

fn bench_lo(c: &mut Criterion) {
    let pdf = load_pdf();
    let engine = LoEngine::new(&pdf, 13000.0).expect("valid energy");
    let spectrum = spectrum();
    for id in ["c1c1", "n2n2", "n2c1p", "n2c1m"] {
        let pair = Pair::parse(id).expect("valid pair id");
        c.bench_function(&format!("lo one pair {id}"), |b| {
            b.iter(|| engine.cross_section(black_box(&spectrum), black_box(pair)))
        });
    }
    let all = Pair::all();
    c.bench_function("lo all 29 pairs", |b| {
        b.iter(|| engine.cross_sections(black_box(&spectrum), black_box(&all)))
    });
}

criterion_group!(benches, bench_lo);
criterion_main!(benches);
