//! Accuracy statistics against a truth column, as in Table 3 of the DeepXS
//! paper (Otten et al., Eur. Phys. J. C 80 (2020) 12): count, mean absolute
//! percentage error and the 68.27/95.45/99.73 % quantiles of the absolute
//! relative error, separately above and below σ_exp.

use serde::Serialize;

use crate::checks::SIGMA_EXPERIMENTAL_PB;

/// Quantile levels reported, as fractions (1σ, 2σ and 3σ of a normal distribution).
pub const QUANTILES: [f64; 3] = [0.6827, 0.9545, 0.9973];

/// Statistics of one set of |relative errors|, in percent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorStatistics {
    pub count: usize,
    pub mape_percent: f64,
    /// |relative error| in percent at the [`QUANTILES`] levels.
    pub quantile_percent: [f64; 3],
    pub max_percent: f64,
}

impl ErrorStatistics {
    /// Computes the statistics of absolute relative errors (fractions). The
    /// q-quantile is the ⌊q·n⌋-th smallest value, 0-based, as the DeepXS
    /// validation code computes it. Returns `None` for an empty set.
    pub fn from_errors(mut errors: Vec<f64>) -> Option<Self> {
        if errors.is_empty() {
            return None;
        }
        errors.sort_by(f64::total_cmp);
        let count = errors.len();
        let quantile = |level: f64| errors[((level * count as f64).floor() as usize).min(count - 1)] * 100.0;
        Some(ErrorStatistics {
            count,
            mape_percent: errors.iter().sum::<f64>() / count as f64 * 100.0,
            quantile_percent: QUANTILES.map(quantile),
            max_percent: errors[count - 1] * 100.0,
        })
    }
}

/// Statistics of one pair, split at σ_exp of the truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairValidation {
    pub pair: String,
    /// Rows with σ_truth ≥ σ_exp.
    pub above: Option<ErrorStatistics>,
    /// Rows with σ_truth < σ_exp.
    pub below: Option<ErrorStatistics>,
}

impl PairValidation {
    /// Builds the statistics from (prediction, truth) pairs in pb.
    pub fn from_values(pair: &str, values: &[(f64, f64)]) -> Self {
        let error = |&(predicted, truth): &(f64, f64)| ((predicted - truth) / truth).abs();
        let above = values.iter().filter(|(_, truth)| *truth >= SIGMA_EXPERIMENTAL_PB).map(error).collect();
        let below = values.iter().filter(|(_, truth)| *truth < SIGMA_EXPERIMENTAL_PB).map(error).collect();
        PairValidation {
            pair: pair.to_string(),
            above: ErrorStatistics::from_errors(above),
            below: ErrorStatistics::from_errors(below),
        }
    }
}

/// Formats a text table of validations, one line per pair and σ range.
pub fn table(validations: &[PairValidation]) -> String {
    let mut text = String::from("pair    range           n      MAPE[%]  68.27%[%]  95.45%[%]  99.73%[%]  max[%]\n");
    for validation in validations {
        for (range, statistics) in [("σ ≥ σ_exp", &validation.above), ("σ < σ_exp", &validation.below)] {
            match statistics {
                Some(s) => text.push_str(&format!(
                    "{:<7} {:<13} {:>7}  {:>8.3}  {:>9.3}  {:>9.3}  {:>9.3}  {:>7.3}\n",
                    validation.pair, range, s.count, s.mape_percent, s.quantile_percent[0], s.quantile_percent[1], s.quantile_percent[2], s.max_percent
                )),
                None => text.push_str(&format!("{:<7} {:<13} {:>7}\n", validation.pair, range, 0)),
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_is_floor_index() {
        let errors: Vec<f64> = (1..=10).map(|i| f64::from(i) / 100.0).collect();
        let statistics = ErrorStatistics::from_errors(errors).expect("non-empty");
        assert_eq!(statistics.count, 10);
        assert!((statistics.mape_percent - 5.5).abs() < 1e-12);
        // ⌊0.6827·10⌋ = 6 → 7th smallest = 7 %.
        assert!((statistics.quantile_percent[0] - 7.0).abs() < 1e-12);
        assert!((statistics.quantile_percent[2] - 10.0).abs() < 1e-12);
        assert!((statistics.max_percent - 10.0).abs() < 1e-12);
    }
}
