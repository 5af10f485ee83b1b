//! The trainer's LO labels: the engine evaluated on a spectrum rebuilt from
//! the 19 network inputs must equal the engine on the full SLHA spectrum,
//! for every pair of every reference SLHA file.

mod common;

use deepxs::input::parse_slha;
use deepxs::pair::{Pair, PAIRS};
use deepxs::physics::LoEngine;
use deepxs::record::InputRecord;
use deepxs::train::dataset::LabelledSet;
use deepxs::train::engine::{engine_pair, load_pdf_directory, EngineLabels};
use deepxs::train::labels::TeacherLabels;
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
    let teacher = TeacherLabels { description: "DeepXS".into(), weights: common::reference_weights(&reference) };
    let engine = EngineLabels { description: "engine".into(), pdf: load_pdf_directory(&reference.join("pdf/cteq6l1")).expect("CTEQ6L1 loads") };
    let rows = read_truth_table(&reference.join("prospino/nlo.csv"), Some("nlo_ms_pb")).expect("Prospino NLO table loads");
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
