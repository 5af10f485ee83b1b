//! The trainer's LO labels: the engine evaluated on a spectrum rebuilt from
//! the 19 network inputs must equal the engine on the full SLHA spectrum,
//! for every pair of every reference SLHA file.

mod common;

use std::path::Path;

use deepxs::input::parse_slha;
use deepxs::pair::{Pair, PAIRS};
use deepxs::physics::LoEngine;
use deepxs::record::InputRecord;
use deepxs::train::dataset::LabelledSet;
use deepxs::train::engine::{engine_pair, load_pdf_directory, EngineLabels};
use deepxs::train::labels::{TeacherLabels, TeacherLoExponent};
use deepxs::truth::read_truth_table;

#[test]
fn record_spectrum_gives_full_spectrum_lo() {
    let Some(reference) = common::reference_dir("record_spectrum_gives_full_spectrum_lo") else {
        return;
    };
    let pdf = load_pdf_directory(&reference.join("pdf/cteq6l1")).expect("CTEQ6L1 loads");
    let engine = LoEngine::new(&pdf, 13000.0).expect("valid energy");
    let mut points = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(reference.join("prospino/slha")).expect("SLHA folder").map(|entry| entry.expect("entry").path()).collect();
    files.sort();
    for path in files.iter().step_by(10) {
        let text = std::fs::read_to_string(path).expect("readable");
        points.push(parse_slha(&path.display().to_string(), &text).expect("valid SLHA"));
    }
    assert!(points.len() >= 20, "{} files", points.len());

    let labels = EngineLabels { description: "engine".into(), pdf: pdf.clone() };
    let records: Vec<InputRecord> = points.iter().map(|point| point.record).collect();
    let mut compared = 0;
    for pair in PAIRS {
        let from_records = labels.cross_sections(pair, &records);
        for (point, from_record) in points.iter().zip(from_records) {
            let spectrum = point.spectrum.as_ref().expect("full spectrum in SLHA");
            let full = engine.cross_section(spectrum, engine_pair(pair)).expect("valid spectrum").lo_pb;
            let from_record = from_record.expect("record has every input");
            assert!((from_record / full - 1.0).abs() < 1e-12, "{} {pair}: {from_record} pb vs {full} pb", point.source);
            compared += 1;
        }
    }
    assert_eq!(compared, 4 * points.len());
}

/// `--teacher-nlo` labels rest on the teacher's σ_NLO = σ_LO · K; on the
/// DeepXS test rows inside the teacher's domain it must equal the DeepXS
/// prediction published with them, and rows outside stay unlabelled.
#[test]
fn teacher_nlo_equals_published_deepxs_predictions() {
    let Some(reference) = common::reference_dir("teacher_nlo_equals_published_deepxs_predictions") else {
        return;
    };
    let teacher = TeacherLabels { description: "DeepXS".into(), weights: common::reference_weights(&reference) };
    for pair in [Pair::C1c1, Pair::N2n2] {
        let path = reference.join(format!("deepxs/testsets/{pair}_test.csv"));
        let set = LabelledSet::read_csv_with_label(&path, "nlo_deepxs_pb").expect("test rows load");
        let records = &set.records[..500];
        let from_teacher = teacher.lo_and_k(pair, records);
        let mut labelled = 0;
        for (row, (value, published_pb)) in from_teacher.iter().zip(&set.labels).enumerate() {
            if let Some((lo_pb, k)) = value {
                let nlo_pb = lo_pb * k;
                // The published values come from the Keras networks in
                // float32, ours from the converted weights.
                assert!((nlo_pb / published_pb - 1.0).abs() < 1e-4, "{pair} row {row}: {nlo_pb} pb vs published {published_pb} pb");
                labelled += 1;
            }
        }
        assert!((300..500).contains(&labelled), "{pair}: {labelled} of 500 rows inside the teacher's domain");
    }
}

/// Returns the DeepXS networks as a teacher and the exact LO engine with CTEQ6L1,
/// both from the reference data.
fn deepxs_teacher_and_engine(reference: &Path) -> (TeacherLabels, EngineLabels) {
    let teacher = TeacherLabels { description: "DeepXS".into(), weights: common::reference_weights(reference) };
    let engine = EngineLabels { description: "exact".into(), pdf: load_pdf_directory(&reference.join("pdf/cteq6l1")).expect("CTEQ6L1 loads") };
    (teacher, engine)
}

/// `--teacher-lo-exponent` on the DeepXS test rows whose DeepXS σ_LO is
/// within 2 % of the exact one. The exponents fitted on the training rows
/// are c1c1 0.35 and 1, n2n2 0.1 and 0.3. Their labels fit the Prospino K
/// (truth σ_NLO over the exact σ_LO) at least as well as two other choices,
/// above and below σ_exp. These are the DeepXS σ_NLO over the exact σ_LO
/// (exponent 1) and the DeepXS K alone (exponent 0). Above σ_exp the
/// fitted labels are 5 % better than the first.
/// (For c1c1 below σ_exp the DeepXS K alone is off by 0.32 %, four times
/// more.) The K networks trained on such labels were not more accurate on
/// the held-out rows (weights/README.md), so the shipped sets keep
/// exponent 1. This test checks the measured label quality.
#[test]
fn teacher_lo_exponent_fits_the_prospino_k() {
    let Some(reference) = common::reference_dir("teacher_lo_exponent_fits_the_prospino_k") else {
        return;
    };
    let (teacher, engine) = deepxs_teacher_and_engine(&reference);
    let teacher_k = TeacherLoExponent { above_exp: 0.0, below_exp: 0.0 };
    for (pair, fitted) in [(Pair::C1c1, TeacherLoExponent { above_exp: 0.35, below_exp: 1.0 }), (Pair::N2n2, TeacherLoExponent { above_exp: 0.1, below_exp: 0.3 })] {
        let path = reference.join(format!("deepxs/testsets/{pair}_test.csv"));
        let set = LabelledSet::read_csv_with_label(&path, "nlo_prospino_pb").expect("test rows load");
        let exact_lo = engine.cross_sections(pair, &set.records);
        let from_teacher = teacher.by_lo_agreement(pair, &set.records, &exact_lo, 0.02, false);
        // [above, below σ_exp] × [fitted, σ_NLO / exact σ_LO, DeepXS K]: sums of |error|, row counts.
        let mut sums = [[0.0; 3]; 2];
        let mut rows = [0usize; 2];
        for ((teacher, exact_pb), truth_pb) in from_teacher.iter().zip(&exact_lo).zip(&set.labels) {
            let (Some((teacher_pb, k)), Some(exact_pb)) = (teacher, exact_pb) else { continue };
            let region = usize::from(*truth_pb < 6.6e-5);
            for (sum, exponent) in sums[region].iter_mut().zip([fitted, TeacherLoExponent::NLO, teacher_k]) {
                *sum += (exponent.label(*teacher_pb, *k, *exact_pb) / (truth_pb / exact_pb) - 1.0).abs();
            }
            rows[region] += 1;
        }
        let mape = |region: usize| sums[region].map(|sum| 100.0 * sum / rows[region] as f64);
        let (above, below) = (mape(0), mape(1));
        eprintln!("{pair}: label MAPE in % (fitted, σ_NLO / exact σ_LO, DeepXS K): {above:.4?} on {} rows with σ ≥ σ_exp, {below:.4?} on {} below", rows[0], rows[1]);
        assert!(rows[0] > 800, "{pair}: {rows:?} rows");
        assert!(rows[1] > 100, "{pair}: {rows:?} rows");
        assert!(above[0] < 0.95 * above[1], "{pair}, σ ≥ σ_exp: {above:?}");
        assert!(above[0] <= above[2] * 1.001, "{pair}, σ ≥ σ_exp: {above:?}");
        assert!(below[0] <= below[1].min(below[2]) * 1.001, "{pair}, σ < σ_exp: {below:?}");
    }
}

/// `--teacher-sign-search`: on the Prospino χ̃⁰₂χ̃±₁ points, the DeepXS K of
/// the sign variant whose DeepXS σ_LO agrees best with the exact σ_LO must
/// lie closer to Prospino's K than the K of the spectra as written. The
/// spectra come from several generators, and the DeepXS networks depend on
/// the sign convention.
#[test]
fn sign_search_improves_teacher_k() {
    let Some(reference) = common::reference_dir("sign_search_improves_teacher_k") else {
        return;
    };
    let (teacher, engine) = deepxs_teacher_and_engine(&reference);
    let rows = read_truth_table(&reference.join("prospino/nlo.csv"), Some("nlo_ms_pb"), None).expect("Prospino NLO table loads");
    for pair in [Pair::N2c1p, Pair::N2c1m] {
        let rows: Vec<_> = rows.iter().filter(|row| row.pair == Some(pair)).collect();
        let records: Vec<InputRecord> = rows.iter().map(|row| row.point.record).collect();
        let exact_lo = engine.cross_sections(pair, &records);
        let as_written = teacher.lo_and_k(pair, &records);
        let searched = teacher.by_lo_agreement(pair, &records, &exact_lo, 0.05, true);
        let (mut error_written, mut error_searched, mut compared) = (0.0, 0.0, 0);
        for (((row, exact_pb), written), searched) in rows.iter().zip(&exact_lo).zip(&as_written).zip(&searched) {
            let Some((_, k_searched)) = searched else { continue };
            let truth_k = row.truth_pb / exact_pb.expect("exact σ_LO");
            let (_, k_written) = written.expect("a point the search accepts has a K as written too");
            error_written += (k_written / truth_k - 1.0).abs();
            error_searched += (k_searched / truth_k - 1.0).abs();
            compared += 1;
        }
        assert!(compared >= 6, "{pair}: {compared} points accepted");
        let (mean_written, mean_searched) = (100.0 * error_written / compared as f64, 100.0 * error_searched / compared as f64);
        // Measured: n2c1p 0.29 % as written and 0.11 % searched (10 points),
        // n2c1m 0.42 % and 0.12 % (6 points).
        assert!(mean_searched < 0.15, "{pair}: searched K off by {mean_searched:.3} % on average");
        assert!(mean_searched < mean_written, "{pair}: searched {mean_searched:.3} % vs as written {mean_written:.3} %");
    }
}
