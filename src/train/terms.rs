//! The coefficient functions of a structured LO network, from the exact
//! engine.
//!
//! A structured network writes σ_LO = Σₖ sₖ cₖ fₖ with fixed signs sₖ, the
//! coupling products cₖ of [`structured_coefficients`] and one network
//! output fₖ per product, a function of the masses only. The engine gives
//! those functions directly: at fixed masses σ_LO is linear in the
//! products, so evaluating it at as many mixings as there are products and
//! solving the linear system returns every fₖ. The mixings ("designs")
//! need not be unitary. They are picked so that the system is triangular
//! up to ordering, and so each function comes out without large
//! cancellations.
//!
//! Trained against these values as well as against σ_LO (see
//! [`super::objective::Objective::term_targets`]), every output learns its
//! function to the same relative precision. That includes the products
//! that are small in most physical spectra, such as squark exchange for a
//! wino-like χ̃⁰₂, which a fit of σ_LO alone leaves badly determined.

use rayon::prelude::*;

use super::engine::{engine_pair, spectrum_from_record};
use super::features::{left_squark_constants, structured_coefficients, structured_form, FeatureSet};
use super::objective::Structure;
use super::TrainError;
use crate::output::NETWORK_SQRTS_GEV;
use crate::pair::Pair;
use crate::physics::{LoEngine, PdfSet};
use crate::record::{Column, InputRecord, SQUARK_COLUMNS};

/// Name of the CSV column with the value of term `k`.
pub fn term_column(k: usize) -> String {
    format!("term{k}")
}

/// Returns `record` with the eight first- and second-generation squarks at
/// their mean mass, the spectrum in which Prospino computes K (its
/// `nlo_ms = K · lo_ms`). A record without all eight stays as it is.
pub fn with_mean_squarks(record: &InputRecord) -> InputRecord {
    let mut averaged = *record;
    if let Some(mean_gev) = record.mean_squark_mass_gev() {
        for column in SQUARK_COLUMNS {
            averaged.set(column, Some(mean_gev));
        }
    }
    averaged
}

/// One design: N row 2 (N21 … N24), U row 1 and V row 1, written into a
/// record in place of its mixing.
type Design = [f64; 8];

/// Returns the designs of a pair, one per structured product; `None` for
/// χ̃⁺₁χ̃⁻₁, whose network combines its outputs linearly and has no
/// signed terms.
fn designs(pair: Pair) -> Option<Vec<Design>> {
    let (bino, wino) = left_squark_constants();
    match pair {
        Pair::C1c1 => None,
        Pair::N2n2 => {
            // With O = N23² − N24² and the left couplings a_u, a_d of
            // N21 and N22, σ = O²f₀ + O(a_u²f₁ + a_d²f₂ + N21²f₃) + a_u⁴f₄ +
            // a_d⁴f₅ + N21⁴f₆. (N21, N22) = (1, ±bino/wino) switch a_d or
            // a_u off, and O is 0 or 1 (N23 = 1).
            let ratio = bino / wino;
            let rows = [(0.0, 0.0, 1.0), (0.0, 1.0, 0.0), (1.0, ratio, 0.0), (1.0, -ratio, 0.0), (0.0, 1.0, 1.0), (1.0, ratio, 1.0), (1.0, -ratio, 1.0)];
            Some(rows.iter().map(|&(n21, n22, n23)| [n21, n22, n23, 0.0, 1.0, 0.0, 1.0, 0.0]).collect())
        }
        Pair::N2c1p | Pair::N2c1m => {
            // The four couplings (W left, W right, up and down squark) are
            // set one at a time and in pairs. With U row 1 = V row 1 =
            // (1, 1), the squark couplings fix N21 and N22, then N24 and
            // N23 fix the two W couplings.
            let mut couplings: Vec<[f64; 4]> = Vec::new();
            for a in 0..4 {
                let mut single = [0.0; 4];
                single[a] = 1.0;
                couplings.push(single);
            }
            for a in 0..4 {
                for b in a + 1..4 {
                    let mut both = [0.0; 4];
                    both[a] = 1.0;
                    both[b] = 1.0;
                    couplings.push(both);
                }
            }
            let half_sqrt2 = std::f64::consts::FRAC_1_SQRT_2;
            let design = |[w_left, w_right, squark_u, squark_d]: [f64; 4]| {
                let n21 = (squark_u + squark_d) / (2.0 * bino);
                let n22 = (squark_u - squark_d) / (2.0 * wino);
                [n21, n22, (w_right - n22) / half_sqrt2, (n22 - w_left) / half_sqrt2, 1.0, 1.0, 1.0, 1.0]
            };
            Some(couplings.into_iter().map(design).collect())
        }
    }
}

/// Returns `record` with its mixing replaced by `design`. The masses, and
/// so the sign of m(χ̃⁰₂), stay.
fn with_design(record: &InputRecord, design: &Design) -> InputRecord {
    let mut copy = *record;
    let columns = [Column::N21, Column::N22, Column::N23, Column::N24, Column::U11, Column::U12, Column::V11, Column::V12];
    for (column, value) in columns.into_iter().zip(design) {
        copy.set(column, Some(*value));
    }
    copy
}

/// Solves the square system `matrix · x = right` by Gaussian elimination
/// with partial pivoting; `None` when it is singular.
pub(crate) fn solve(mut matrix: Vec<Vec<f64>>, mut right: Vec<f64>) -> Option<Vec<f64>> {
    let size = right.len();
    for column in 0..size {
        let pivot = (column..size).max_by(|&a, &b| matrix[a][column].abs().total_cmp(&matrix[b][column].abs()))?;
        if matrix[pivot][column].abs() < 1e-12 {
            return None;
        }
        matrix.swap(column, pivot);
        right.swap(column, pivot);
        for row in column + 1..size {
            let factor = matrix[row][column] / matrix[column][column];
            for k in column..size {
                matrix[row][k] -= factor * matrix[column][k];
            }
            right[row] -= factor * right[column];
        }
    }
    let mut solution = vec![0.0; size];
    for row in (0..size).rev() {
        let known: f64 = (row + 1..size).map(|k| matrix[row][k] * solution[k]).sum();
        solution[row] = (right[row] - known) / matrix[row][row];
    }
    Some(solution)
}

/// Labels the terms of structured LO networks with the exact engine.
pub struct TermLabels {
    pub pdf: PdfSet,
}

impl TermLabels {
    /// Returns for each record the values sₖ fₖ in pb of the terms of
    /// `pair`'s structured network. A record gets `None` where an input is
    /// missing or the engine rejects the spectrum. A value is positive
    /// where its function keeps the sign the term assumes. Elsewhere it is
    /// not (see [`super::objective::Objective::with_term_targets`]).
    pub fn terms(&self, pair: Pair, records: &[InputRecord]) -> Result<Vec<Option<Vec<f64>>>, TrainError> {
        let no_terms = || TrainError::Invalid(format!("{pair} has no signed terms to label; term labels are for n2n2, n2c1p and n2c1m"));
        let designs = designs(pair).ok_or_else(no_terms)?;
        let Structure::SignedTerms { signs } = structured_form(pair) else {
            return Err(no_terms());
        };
        let products = FeatureSet::fit(structured_coefficients(pair), &[])?;
        let engine = LoEngine::new(&self.pdf, NETWORK_SQRTS_GEV).map_err(|error| TrainError::Invalid(error.to_string()))?;
        Ok(records
            .par_iter()
            .map(|record| {
                let rows: Vec<InputRecord> = designs.iter().map(|design| with_design(record, design)).collect();
                let matrix = products.raw_values(&rows).ok()?;
                let sigmas = rows
                    .iter()
                    .map(|row| Some(engine.cross_section(&spectrum_from_record(row, pair)?, engine_pair(pair)).ok()?.lo_pb))
                    .collect::<Option<Vec<f64>>>()?;
                let functions = solve(matrix, sigmas)?;
                let values: Vec<f64> = functions.iter().zip(&signs).map(|(function, sign)| function * sign).collect();
                values.iter().all(|value| value.is_finite()).then_some(values)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_squarks_replace_the_eight_and_nothing_else() {
        let values = [0.3, 0.95, 0.2, -0.98, 0.1, -0.6, 0.7, 0.37, -400.0, 410.0, 1000.0, 1100.0, 1200.0, 1300.0, 1400.0, 1500.0, 1600.0, 1700.0, 2500.0];
        let record = InputRecord::from_values(values);
        let averaged = with_mean_squarks(&record);
        for column in SQUARK_COLUMNS {
            assert_eq!(averaged.get(column), Some(1350.0), "{column:?}");
        }
        for column in [Column::N22, Column::MChi20, Column::MChi1pm, Column::MGluino] {
            assert_eq!(averaged.get(column), record.get(column), "{column:?}");
        }
        let mut incomplete = InputRecord::from_values(values);
        incomplete.set(Column::M2000002, None);
        assert_eq!(with_mean_squarks(&incomplete).get(Column::M1000001), Some(1000.0), "a record without all eight squarks stays");
    }

    #[test]
    fn solves_a_permuted_system() {
        let matrix = vec![vec![0.0, 2.0, 0.0], vec![1.0, 1.0, 0.0], vec![0.0, 3.0, 4.0]];
        let solution = solve(matrix, vec![4.0, 3.0, 14.0]).expect("regular");
        for (value, expected) in solution.iter().zip([1.0, 2.0, 2.0]) {
            assert!((value - expected).abs() < 1e-14, "{solution:?}");
        }
        assert_eq!(solve(vec![vec![1.0, 2.0], vec![2.0, 4.0]], vec![1.0, 2.0]), None);
    }

    /// The designs must give a regular system for every pair with terms,
    /// whichever the sign of m(χ̃⁰₂).
    #[test]
    fn designs_determine_every_term() {
        for pair in [Pair::N2n2, Pair::N2c1p, Pair::N2c1m] {
            let designs = designs(pair).expect("signed terms");
            let products = FeatureSet::fit(structured_coefficients(pair), &[]).expect("valid products");
            assert_eq!(designs.len(), products.names.len(), "{pair}");
            for mass in [-300.0, 300.0] {
                let mut record = InputRecord::from_values([0.0; 19]);
                record.set(Column::MChi20, Some(mass));
                record.set(Column::MChi1pm, Some(310.0));
                let rows: Vec<InputRecord> = designs.iter().map(|design| with_design(&record, design)).collect();
                let matrix = products.raw_values(&rows).expect("finite products");
                assert!(solve(matrix, vec![1.0; designs.len()]).is_some(), "{pair} at m(χ̃⁰₂) = {mass} GeV");
            }
        }
        assert!(designs(Pair::C1c1).is_none());
    }
}
