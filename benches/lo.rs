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

/// Returns a mixed spectrum with the lightest electroweakinos near 375 GeV
/// and squarks at 1.9–3.6 TeV.
fn spectrum() -> Spectrum {
    Spectrum {
        neutralino_mass_gev: [372.4, -377.1, 1848.1, 3494.1],
        nmix: [
            [-0.0123, 0.0488, -0.7081, 0.7043],
            [-0.0050, 0.0162, 0.7057, 0.7083],
            [-0.0013, -0.9987, -0.0231, 0.0459],
            [-0.9999, 0.0006, 0.0052, -0.0122],
        ],
        chargino_mass_gev: [373.4, 1848.1],
        umix: [[-0.0327, 0.9995], [-0.9995, -0.0327]],
        vmix: [[-0.0650, 0.9979], [-0.9979, -0.0650]],
        squark_mass_gev: [3590.7, 3152.1, 1914.3, 3590.0, 3590.7, 3152.1, 3590.0, 1914.3],
        gluino_mass_gev: 708.7,
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
