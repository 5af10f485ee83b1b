//! Checks of the network set embedded from `weights/`: its tensors are our
//! own, its results do not depend on the sign convention of the mixing
//! matrices, and it gives finite positive LO and K on the reference rows.
//! Without an embedded set the tests print why and pass.

mod common;

use deepxs::input::Point;
use deepxs::pair::Pair;
use deepxs::pipeline::WeightSet;
use deepxs::predict::{predict, Order, Status};
use deepxs::record::{Column, InputRecord, COLUMNS};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn shipped(test: &str) -> Option<WeightSet> {
    match WeightSet::embedded() {
        Ok(weights) => Some(weights),
        Err(error) => {
            eprintln!("{test}: skipped, no embedded set ({error})");
            None
        }
    }
}

fn points(records: &[InputRecord]) -> Vec<Point> {
    records.iter().enumerate().map(|(row, record)| Point::from_row("test", row, row + 2, *record)).collect()
}

fn flip(record: &InputRecord, columns: &[Column]) -> InputRecord {
    let mut flipped = *record;
    for &column in columns {
        flipped.set(column, record.get(column).map(|value| -value));
    }
    flipped
}

/// Random points in the training box, with unit-norm mixing rows.
fn random_records(count: usize) -> Vec<InputRecord> {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    (0..count)
        .map(|_| {
            let mut values = [0.0; 19];
            common::random_mixing_rows(&mut rng, &mut values);
            let mass: f64 = rng.random_range(150.0..1200.0);
            values[8] = mass * if rng.random_bool(0.5) { 1.0 } else { -1.0 };
            values[9] = mass * rng.random_range(0.95..1.05);
            for value in &mut values[10..] {
                *value = rng.random_range(600.0..4000.0);
            }
            InputRecord::from_values(values)
        })
        .collect()
}

#[test]
fn shipped_tensors_differ_from_reference() {
    let Some(weights) = shipped("shipped_tensors_differ_from_reference") else { return };
    let Some(reference) = common::reference_dir("shipped_tensors_differ_from_reference") else { return };
    let reference = common::reference_weights(&reference);
    let reference_tensors: Vec<(String, Vec<u8>)> =
        reference.networks().iter().flat_map(|network| network.tensor_bytes().into_iter().map(|(name, bytes)| (format!("{}/{name}", network.name), bytes))).collect();
    assert!(!reference_tensors.is_empty());
    let mut compared = 0;
    for network in weights.networks() {
        for (name, bytes) in network.tensor_bytes() {
            for (reference_name, reference_bytes) in &reference_tensors {
                assert_ne!(&bytes, reference_bytes, "{}/{name} equals the reference tensor {reference_name}", network.name);
            }
            compared += 1;
        }
    }
    assert!(compared > 0);
}

#[test]
fn shipped_set_is_sign_invariant() {
    let Some(weights) = shipped("shipped_set_is_sign_invariant") else { return };
    let records = random_records(500);
    let uv = [Column::U11, Column::U12, Column::V11, Column::V12];
    let n2 = [Column::N21, Column::N22, Column::N23, Column::N24];
    // The SOFTSUSY convention writes U11, V11 > 0 where SPheno writes them negative.
    let softsusy: Vec<InputRecord> =
        records.iter().map(|record| if record.get(Column::U11).unwrap_or(0.0) < 0.0 { flip(record, &uv) } else { *record }).collect();
    let variants = [
        records.iter().map(|record| flip(record, &uv)).collect::<Vec<_>>(),
        records.iter().map(|record| flip(record, &n2)).collect(),
        records.iter().map(|record| flip(&flip(record, &n2), &uv)).collect(),
        softsusy,
    ];
    let pairs = weights.pairs();
    let base = predict(&weights, &points(&records), &pairs, Order::Both);
    for (variant_index, variant) in variants.iter().enumerate() {
        let flipped = predict(&weights, &points(variant), &pairs, Order::Both);
        for (row, (a, b)) in base.iter().zip(&flipped).enumerate() {
            for (x, y) in a.pairs.iter().zip(&b.pairs) {
                for (name, p, q) in [("LO", x.lo_pb, y.lo_pb), ("K", x.k, y.k)] {
                    if let (Some(p), Some(q)) = (p, q) {
                        assert!((p / q - 1.0).abs() <= 1e-6, "variant {variant_index} row {row} {} {name}: {p} vs {q}", x.pair);
                    } else {
                        assert_eq!(p.is_some(), q.is_some(), "variant {variant_index} row {row} {} {name}", x.pair);
                    }
                }
            }
        }
    }
}

#[test]
fn shipped_set_predicts_reference_rows() {
    let Some(weights) = shipped("shipped_set_predicts_reference_rows") else { return };
    let Some(reference) = common::reference_dir("shipped_set_predicts_reference_rows") else { return };
    let mut checked = 0;
    for (file, pair) in [("c1c1_test.csv", Pair::C1c1), ("n2n2_test.csv", Pair::N2n2)] {
        if weights.pipeline(pair).is_none() {
            continue;
        }
        let rows = common::read_table(&reference.join("deepxs/testsets").join(file));
        let records: Vec<InputRecord> = rows
            .iter()
            .map(|row| {
                let mut record = InputRecord::empty();
                for column in COLUMNS {
                    record.set(column, row.get(column.name()).and_then(|text| text.parse().ok()));
                }
                record
            })
            .collect();
        for (row, prediction) in predict(&weights, &points(&records), &[pair], Order::Both).iter().enumerate() {
            let result = &prediction.pairs[0];
            assert_eq!(result.status, Status::Ok, "{file} row {row}");
            let lo_pb = result.lo_pb.expect("LO computed");
            let k = result.k.expect("K computed");
            assert!(lo_pb.is_finite(), "{file} row {row}: σ_LO = {lo_pb} pb");
            assert!(lo_pb > 0.0, "{file} row {row}: σ_LO = {lo_pb} pb");
            assert!(k.is_finite(), "{file} row {row}: K = {k}");
            assert!(k > 0.0, "{file} row {row}: K = {k}");
            checked += 1;
        }
    }
    assert!(checked >= 5000, "{checked} rows checked");
}

#[test]
fn embedded_files_equal_weights_directory() {
    let files = deepxs::embedded::embedded_files();
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("weights");
    if files.is_empty() {
        eprintln!("embedded_files_equal_weights_directory: skipped, no embedded set");
        assert!(!directory.join("manifest.json").exists(), "weights/manifest.json exists but nothing was embedded");
        return;
    }
    for (name, bytes) in &files {
        let on_disk = std::fs::read(directory.join(name)).expect("every embedded file is in weights/");
        assert!(*bytes == on_disk, "embedded {name} differs from weights/{name}");
    }
}

/// On pMSSM-box points, where about a third of the pair predictions lie
/// below σ_min and so outside the K training domain, every K is finite and
/// positive. The structured n2c1 K networks
/// weigh K-factors with LO terms that cancel at some of these points, and
/// their manifest maps clip K to the training labels' range there. Without
/// the clip, 10 of these 20 000 points got a K that was not positive.
#[test]
fn shipped_k_positive_on_box_points() {
    use deepxs::train::pmssm_box::{sample_pmssm_box, PmssmBox};

    let Some(weights) = shipped("shipped_k_positive_on_box_points") else { return };
    let sample = sample_pmssm_box(&PmssmBox::default(), 20_000, 1_000_000, 999);
    let records: Vec<InputRecord> = sample.points.iter().map(|point| point.record).collect();
    assert_eq!(records.len(), 20_000);
    let pairs = [Pair::C1c1, Pair::N2n2, Pair::N2c1p, Pair::N2c1m];
    let mut outside = 0;
    for (row, prediction) in predict(&weights, &points(&records), &pairs, Order::Both).iter().enumerate() {
        for result in &prediction.pairs {
            if let Status::Invalid { reason } = &result.status {
                assert!(!reason.contains("K network"), "row {row} {}: {reason}", result.pair);
                continue;
            }
            let k = result.k.expect("K computed");
            assert!(k.is_finite(), "row {row} {}: K = {k}", result.pair);
            assert!(k > 0.0, "row {row} {}: K = {k}", result.pair);
            outside += usize::from(result.warnings.iter().any(|warning| warning.code() == "below_training_minimum"));
        }
    }
    eprintln!("{outside} of the 80 000 pair predictions lie below σ_min");
    assert!(outside > 10_000, "the sample reaches below σ_min: {outside} pair predictions there");
}
