//! Input sampling around existing points.
//!
//! Each new point is a perturbed copy of a base point: mixing rows turned
//! by a random angle (U and V rows as rotations, N row 2 as a perturbed
//! and renormalised vector), electroweakino masses scaled by one common
//! log-normal factor, squark masses scaled by a common factor and one per
//! chirality and isospin (the degenerate flavour pairs keep their common
//! mass), and the gluino mass by its own factor. New points follow the
//! correlations of the base set, which a box in the 19 inputs would not.
//! [`super::pmssm_box`] samples the pMSSM-19 parameter box instead.
//!
//! [`random_mixing`] keeps the masses of each point and draws its mixing
//! rows anew. The LO networks learn functions of the masses that multiply
//! products of couplings. In physical spectra those products are
//! correlated, so couplings drawn at random at the same masses pin the
//! functions down better.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use crate::checks::{MIN_CHARGINO_MASS_GEV, MIN_GLUINO_MASS_GEV, MIN_SQUARK_MASS_GEV};
use crate::record::{Column, InputRecord, SQUARK_COLUMNS};

/// Squark mass groups that share one factor, as indices into
/// [`SQUARK_COLUMNS`]: the left-handed doublets, d̃_R/s̃_R and ũ_R/c̃_R.
const SQUARK_GROUPS: [&[usize]; 3] = [&[0, 3, 4, 6], &[1, 5], &[2, 7]];

/// True when the point passes the mass cuts of the training selection:
/// squarks above 500 GeV, χ̃±₁ above 100 GeV and the gluino above 200 GeV
/// (where those inputs are present).
pub fn passes_mass_cuts(record: &InputRecord) -> bool {
    passes_mass_cuts_with(record, MIN_CHARGINO_MASS_GEV)
}

/// [`passes_mass_cuts`] with another χ̃±₁ floor in GeV.
fn passes_mass_cuts_with(record: &InputRecord, min_chargino_gev: f64) -> bool {
    let above = |column: Column, minimum: f64| record.get(column).is_none_or(|mass| mass.abs() > minimum);
    SQUARK_COLUMNS.iter().all(|&column| above(column, MIN_SQUARK_MASS_GEV))
        && above(Column::MChi1pm, min_chargino_gev)
        && above(Column::MGluino, MIN_GLUINO_MASS_GEV)
}

/// Draws `count` points around base points chosen uniformly from `base`.
/// `spread` is the standard deviation of the log mass factors and of the
/// mixing angles in radians. Only points that pass the cuts of
/// [`passes_mass_cuts`], with χ̃±₁ above `min_chargino_gev` instead of
/// 100 GeV, are kept. Fewer than `count` points come back only when the
/// base is empty or its points keep failing the cuts.
pub fn sample_around(base: &[InputRecord], count: usize, spread: f64, seed: u64, min_chargino_gev: f64) -> Vec<InputRecord> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut points = Vec::with_capacity(count);
    if base.is_empty() {
        return points;
    }
    let normal = Normal::new(0.0, spread.abs().max(1e-12)).expect("a positive deviation is valid");
    // A bounded number of tries keeps a base set that always fails the cuts
    // from looping forever.
    let mut tries = 0usize;
    while points.len() < count && tries < count.saturating_mul(20) {
        tries += 1;
        let mut record = base[rng.random_range(0..base.len())];
        let mut draw = || normal.sample(&mut rng);

        for (first, second) in [(Column::U11, Column::U12), (Column::V11, Column::V12)] {
            if let (Some(a), Some(b)) = (record.get(first), record.get(second)) {
                let angle = b.atan2(a) + draw();
                record.set(first, Some(angle.cos()));
                record.set(second, Some(angle.sin()));
            }
        }
        let n_columns = [Column::N21, Column::N22, Column::N23, Column::N24];
        if let [Some(a), Some(b), Some(c), Some(d)] = n_columns.map(|column| record.get(column)) {
            let row = [a + draw() / 2.0, b + draw() / 2.0, c + draw() / 2.0, d + draw() / 2.0];
            let norm = row.iter().map(|x| x * x).sum::<f64>().sqrt();
            for (column, value) in n_columns.iter().zip(row) {
                record.set(*column, Some(value / norm));
            }
        }

        let electroweakino = draw().exp();
        let common_squark = draw().exp();
        let group_factors: Vec<f64> = SQUARK_GROUPS.iter().map(|_| common_squark * (draw() / 4.0).exp()).collect();
        let gluino = draw().exp();
        let mut scale = |column: Column, factor: f64| {
            if let Some(value) = record.get(column) {
                record.set(column, Some(value * factor));
            }
        };
        scale(Column::MChi20, electroweakino);
        scale(Column::MChi1pm, electroweakino);
        for (group, factor) in SQUARK_GROUPS.iter().zip(&group_factors) {
            for &index in group.iter() {
                scale(SQUARK_COLUMNS[index], *factor);
            }
        }
        scale(Column::MGluino, gluino);

        if passes_mass_cuts_with(&record, min_chargino_gev) {
            points.push(record);
        }
    }
    points
}

/// Copies of the base points in order, cycling when `count` exceeds the
/// base, with the masses kept and the mixing drawn at random. N row 2 is
/// uniform on the unit sphere, U row 1 and V row 1 are rotations by a
/// uniform angle, and m(χ̃⁰₂) takes either sign at even odds. Columns a
/// point lacks stay absent. The copies pass the same cuts as their base
/// points, because the cuts involve only masses.
pub fn random_mixing(base: &[InputRecord], count: usize, seed: u64) -> Vec<InputRecord> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let normal = Normal::new(0.0, 1.0).expect("a unit deviation is valid");
    base.iter()
        .copied()
        .cycle()
        .take(count)
        .map(|mut record| {
            for (first, second) in [(Column::U11, Column::U12), (Column::V11, Column::V12)] {
                let angle = rng.random_range(0.0..std::f64::consts::TAU);
                if record.get(first).is_some() && record.get(second).is_some() {
                    record.set(first, Some(angle.cos()));
                    record.set(second, Some(angle.sin()));
                }
            }
            // Four normal deviates, normalised, are uniform on the 3-sphere.
            // A near-zero draw is redrawn, so the division is safe.
            let row = loop {
                let row: [f64; 4] = std::array::from_fn(|_| normal.sample(&mut rng));
                let norm = row.iter().map(|x| x * x).sum::<f64>().sqrt();
                if norm > 1e-6 {
                    break row.map(|x| x / norm);
                }
            };
            let n_columns = [Column::N21, Column::N22, Column::N23, Column::N24];
            if n_columns.iter().all(|&column| record.get(column).is_some()) {
                for (column, value) in n_columns.iter().zip(row) {
                    record.set(*column, Some(value));
                }
            }
            let negative = rng.random_bool(0.5);
            if let Some(mass) = record.get(Column::MChi20) {
                record.set(Column::MChi20, Some(if negative { -mass.abs() } else { mass.abs() }));
            }
            record
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> InputRecord {
        let mut values = [0.0; 19];
        values[..8].copy_from_slice(&[0.6, 0.8, -0.8, 0.6, 0.5, 0.5, 0.5, -0.5]);
        values[8] = -300.0;
        values[9] = 290.0;
        for value in &mut values[10..18] {
            *value = 1800.0;
        }
        values[18] = 2500.0;
        InputRecord::from_values(values)
    }

    #[test]
    fn samples_keep_unit_rows_and_cuts() {
        let points = sample_around(&[base()], 500, 0.2, 4, MIN_CHARGINO_MASS_GEV);
        assert_eq!(points.len(), 500);
        for record in &points {
            let get = |column| record.get(column).expect("complete");
            assert!((get(Column::U11).hypot(get(Column::U12)) - 1.0).abs() < 1e-12);
            assert!((get(Column::V11).hypot(get(Column::V12)) - 1.0).abs() < 1e-12);
            let n_norm: f64 = [Column::N21, Column::N22, Column::N23, Column::N24].iter().map(|&c| get(c).powi(2)).sum();
            assert!((n_norm - 1.0).abs() < 1e-12);
            assert!(get(Column::MChi20) < 0.0, "the sign of the mass is kept");
            assert!((get(Column::MChi20).abs() / get(Column::MChi1pm) - 300.0 / 290.0).abs() < 1e-9, "common electroweakino factor");
            assert_eq!(get(Column::M1000001), get(Column::M1000003), "flavour pairs stay degenerate");
            assert!(passes_mass_cuts(record));
        }
        assert_ne!(points[0], points[1]);
        assert_eq!(sample_around(&[base()], 500, 0.2, 4, MIN_CHARGINO_MASS_GEV), points, "same seed, same points");

        // A lower χ̃±₁ floor keeps points below 100 GeV, and only above it.
        let mut light = base();
        light.set(Column::MChi1pm, Some(95.0));
        let low = sample_around(&[light], 500, 0.1, 4, 70.0);
        assert!(low.iter().any(|record| record.get(Column::MChi1pm).is_some_and(|mass| mass < MIN_CHARGINO_MASS_GEV)));
        assert!(low.iter().all(|record| record.get(Column::MChi1pm).is_some_and(|mass| mass > 70.0)));
    }

    #[test]
    fn random_mixing_keeps_masses_redraws_rows() {
        let mut second = base();
        second.set(Column::MChi1pm, Some(700.0));
        let points = random_mixing(&[base(), second], 1000, 9);
        assert_eq!(points.len(), 1000);
        let mut negative = 0;
        let mut n21_sum = 0.0;
        for (index, record) in points.iter().enumerate() {
            let get = |column| record.get(column).expect("complete");
            let origin = if index % 2 == 0 { base() } else { second };
            for column in [Column::MChi1pm, Column::M1000001, Column::M2000004, Column::MGluino] {
                assert_eq!(record.get(column), origin.get(column), "masses are kept");
            }
            assert_eq!(get(Column::MChi20).abs(), 300.0);
            negative += usize::from(get(Column::MChi20) < 0.0);
            assert!((get(Column::U11).hypot(get(Column::U12)) - 1.0).abs() < 1e-12);
            assert!((get(Column::V11).hypot(get(Column::V12)) - 1.0).abs() < 1e-12);
            let n_norm: f64 = [Column::N21, Column::N22, Column::N23, Column::N24].iter().map(|&c| get(c).powi(2)).sum();
            assert!((n_norm - 1.0).abs() < 1e-12);
            n21_sum += get(Column::N21);
        }
        // Both signs of m(χ̃⁰₂) at about even odds (binomial σ ≈ 16), and
        // N21 centred on zero (σ of the mean ≈ 0.016), unlike the base rows.
        assert!((430..570).contains(&negative), "{negative} negative masses of 1000");
        assert!((n21_sum / 1000.0).abs() < 0.08, "mean N21 {}", n21_sum / 1000.0);
        assert_ne!(points[0], points[2], "each copy gets its own mixing");
        assert_eq!(random_mixing(&[base(), second], 1000, 9), points, "same seed, same points");
        assert!(random_mixing(&[], 10, 9).is_empty());
    }
}
