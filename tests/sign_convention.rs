//! Sign conventions of the mixing matrices.
//!
//! Flipping row 1 of U together with row 1 of V, or a row of N, leaves every
//! cross section unchanged. The DeepXS reference networks were trained on
//! one generator's convention and are not invariant; sets that declare the
//! canonical convention are invariant by construction.

mod common;

use deepxs::input::read_input;
use deepxs::pair::Pair;
use deepxs::predict::{canonicalize_signs, predict, Order};
use deepxs::record::{Column, InputRecord};

use common::{reference_dir, reference_weights};

fn flip(record: &InputRecord, columns: &[Column]) -> InputRecord {
    let mut flipped = *record;
    for &column in columns {
        flipped.set(column, record.get(column).map(|value| -value));
    }
    flipped
}

#[test]
fn canonical_form_is_flip_invariant() {
    let records = [
        InputRecord::from_values([-0.9, 0.43, -0.92, 0.39, 0.02, 0.03, -0.70, 0.71, -143.0, 441.0, 2000.0, 2001.0, 2002.0, 2003.0, 2004.0, 2005.0, 2006.0, 2007.0, 1800.0]),
        InputRecord::from_values([0.6, -0.8, 0.6, 0.8, 0.5, -0.5, 0.5, -0.5, 300.0, 290.0, 1000.0, 1001.0, 1002.0, 1003.0, 1004.0, 1005.0, 1006.0, 1007.0, 900.0]),
    ];
    let uv = [Column::U11, Column::U12, Column::V11, Column::V12];
    let n2 = [Column::N21, Column::N22, Column::N23, Column::N24];
    for record in &records {
        let canonical = canonicalize_signs(record);
        assert_eq!(canonicalize_signs(&flip(record, &uv)), canonical);
        assert_eq!(canonicalize_signs(&flip(record, &n2)), canonical);
        assert_eq!(canonicalize_signs(&flip(&flip(record, &n2), &uv)), canonical);
        // U row 1 alone is not a symmetry, and the canonical form keeps that difference.
        assert_ne!(canonicalize_signs(&flip(record, &[Column::U11, Column::U12])), canonical);
    }
}

#[test]
fn reference_networks_not_invariant() {
    let Some(reference) = reference_dir("sign convention") else { return };
    let weights = reference_weights(&reference);
    let bytes = std::fs::read(reference.join("deepxs/testsets/c1c1_test.csv")).expect("readable");
    let batch = read_input("c1c1_test.csv", &bytes, Default::default()).expect("parses");
    let points: Vec<_> = batch.rows.into_iter().map(|row| row.expect("valid")).collect();
    let mut flipped = points.clone();
    for point in &mut flipped {
        point.record = flip(&point.record, &[Column::U11, Column::U12, Column::V11, Column::V12]);
    }
    let original = predict(&weights, &points, &[Pair::C1c1], Order::Both);
    let changed = predict(&weights, &flipped, &[Pair::C1c1], Order::Both);
    let mut changes: Vec<f64> = original
        .iter()
        .zip(&changed)
        .filter_map(|(a, b)| Some((b.pairs[0].nlo_pb? / a.pairs[0].nlo_pb? - 1.0).abs()))
        .collect();
    changes.sort_by(f64::total_cmp);
    let median = changes[changes.len() / 2];
    let max = changes[changes.len() - 1];
    println!("reference c1c1 NLO change under U1, V1 → −U1, −V1: median {:.0} %, max {:.0} %", median * 100.0, max * 100.0);
    // Measured on the 5000 DeepXS c1c1 test rows as |NLO(flipped)/NLO − 1|:
    // median 31 %, maximum 299 %.
    assert!((0.25..0.40).contains(&median), "median change {median}");
    assert!(max > 2.0, "max change {max}");
}
