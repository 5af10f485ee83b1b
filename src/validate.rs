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
    /// Another prediction on the same rows, when requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
}

/// Another prediction column (such as DeepXS's σ_NLO) scored on the same
/// rows as the network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Its column in the truth table.
    pub column: String,
    /// Bootstrap resamples behind the `network_lower` fractions (0: none).
    pub resamples: usize,
    /// Rows with σ_truth ≥ σ_exp.
    pub above: Option<RangeComparison>,
    /// Rows with σ_truth < σ_exp.
    pub below: Option<RangeComparison>,
}

/// The compared column's statistics in one σ range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RangeComparison {
    pub statistics: ErrorStatistics,
    /// Fractions of bootstrap resamples of the range's rows in which the
    /// network's statistic is below the column's (a tie counts one half);
    /// `None` without resamples.
    pub network_lower: Option<LowerFractions>,
}

/// One fraction per statistic of [`ErrorStatistics`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LowerFractions {
    pub mape: f64,
    pub quantile: [f64; 3],
    pub max: f64,
}

/// Seed of the bootstrap resampling: fixed, so that a table repeats from
/// run to run.
pub const BOOTSTRAP_SEED: u64 = 2020;

impl PairValidation {
    /// Builds the statistics from (prediction, truth) pairs in pb.
    pub fn from_values(pair: &str, values: &[(f64, f64)]) -> Self {
        let error = |&(predicted, truth): &(f64, f64)| relative_error(predicted, truth);
        let above = values.iter().filter(|(_, truth)| *truth >= SIGMA_EXPERIMENTAL_PB).map(error).collect();
        let below = values.iter().filter(|(_, truth)| *truth < SIGMA_EXPERIMENTAL_PB).map(error).collect();
        PairValidation {
            pair: pair.to_string(),
            above: ErrorStatistics::from_errors(above),
            below: ErrorStatistics::from_errors(below),
            comparison: None,
        }
    }

    /// Builds the statistics from (network, truth) values in pb and scores
    /// the other prediction `others_pb`, one value per row of `values` and
    /// named `column`, on the same rows. With
    /// `resamples` > 0 the rows of each σ range are resampled with
    /// replacement that many times (seed [`BOOTSTRAP_SEED`]) to count how
    /// often the network's statistic comes out below the other's. A 99.73 %
    /// band rests on the few largest errors, so on some hundred rows one
    /// row can decide which of two close predictions has the lower band.
    /// The fraction shows how firm the ordering is.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn with_comparison(pair: &str, values: &[(f64, f64)], others_pb: &[f64], column: &str, resamples: usize) -> Self {
        debug_assert_eq!(values.len(), others_pb.len(), "one compared value per row");
        let mut validation = Self::from_values(pair, values);
        let range = |above: bool| -> Option<RangeComparison> {
            let errors: Vec<(f64, f64)> = values
                .iter()
                .zip(others_pb)
                .filter(|((_, truth), _)| (*truth >= SIGMA_EXPERIMENTAL_PB) == above)
                .map(|(&(network, truth), &other)| (relative_error(network, truth), relative_error(other, truth)))
                .collect();
            let statistics = ErrorStatistics::from_errors(errors.iter().map(|&(_, other)| other).collect())?;
            let network_lower = (resamples > 0).then(|| bootstrap_lower_fractions(&errors, resamples));
            Some(RangeComparison { statistics, network_lower })
        };
        validation.comparison = Some(Comparison { column: column.to_string(), resamples, above: range(true), below: range(false) });
        validation
    }
}

/// Returns |predicted − truth| / truth.
fn relative_error(predicted: f64, truth: f64) -> f64 {
    ((predicted - truth) / truth).abs()
}

/// For (network, other) error pairs of one range: the fraction of
/// `resamples` bootstrap resamples in which each network statistic is
/// below the other's. `errors` must not be empty.
#[cfg(not(target_arch = "wasm32"))]
fn bootstrap_lower_fractions(errors: &[(f64, f64)], resamples: usize) -> LowerFractions {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(BOOTSTRAP_SEED);
    let score = |network: f64, other: f64| if network < other { 1.0 } else if network == other { 0.5 } else { 0.0 };
    let mut sums = [0.0; 5];
    for _ in 0..resamples {
        let (network, other): (Vec<f64>, Vec<f64>) = (0..errors.len()).map(|_| errors[rng.random_range(0..errors.len())]).unzip();
        let (Some(a), Some(b)) = (ErrorStatistics::from_errors(network), ErrorStatistics::from_errors(other)) else {
            continue;
        };
        sums[0] += score(a.mape_percent, b.mape_percent);
        for level in 0..3 {
            sums[1 + level] += score(a.quantile_percent[level], b.quantile_percent[level]);
        }
        sums[4] += score(a.max_percent, b.max_percent);
    }
    let fraction = |sum: f64| sum / resamples as f64;
    LowerFractions { mape: fraction(sums[0]), quantile: [fraction(sums[1]), fraction(sums[2]), fraction(sums[3])], max: fraction(sums[4]) }
}

/// Formats a text table of validations, one line per pair and σ range.
/// With a comparison, each range gets a `values` column and two more lines:
/// the compared column's statistics and, with resamples, the fractions of
/// resamples in which the network's statistic is lower (`n` then counts
/// the resamples).
pub fn table(validations: &[PairValidation]) -> String {
    let compared = validations.iter().any(|validation| validation.comparison.is_some());
    let source = |name: &str| if compared { format!("{name:<22} ") } else { String::new() };
    let mut text = format!(
        "{:<7} {:<13} {}{:>7}  {:>8}  {:>9}  {:>9}  {:>9}  {:>7}\n",
        "pair", "range", source("values"), "n", "MAPE[%]", "68.27%[%]", "95.45%[%]", "99.73%[%]", "max[%]"
    );
    let line = |pair: &str, range: &str, values: &str, count: usize, numbers: [f64; 5]| {
        format!(
            "{:<7} {:<13} {}{:>7}  {:>8.3}  {:>9.3}  {:>9.3}  {:>9.3}  {:>7.3}\n",
            pair, range, source(values), count, numbers[0], numbers[1], numbers[2], numbers[3], numbers[4]
        )
    };
    let numbers = |s: &ErrorStatistics| [s.mape_percent, s.quantile_percent[0], s.quantile_percent[1], s.quantile_percent[2], s.max_percent];
    for validation in validations {
        let ranges = [("σ ≥ σ_exp", &validation.above), ("σ < σ_exp", &validation.below)];
        for (index, (range, statistics)) in ranges.into_iter().enumerate() {
            let Some(s) = statistics else {
                text.push_str(&format!("{:<7} {:<13} {}{:>7}\n", validation.pair, range, source("network"), 0));
                continue;
            };
            text.push_str(&line(&validation.pair, range, "network", s.count, numbers(s)));
            let Some(comparison) = &validation.comparison else { continue };
            let other = if index == 0 { &comparison.above } else { &comparison.below };
            let Some(other) = other else { continue };
            text.push_str(&line(&validation.pair, range, &comparison.column, other.statistics.count, numbers(&other.statistics)));
            if let Some(lower) = &other.network_lower {
                let fractions = [lower.mape, lower.quantile[0], lower.quantile[1], lower.quantile[2], lower.max];
                text.push_str(&line(&validation.pair, range, "P(network lower)", comparison.resamples, fractions));
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

    /// The compared column shares the network's rows: a row the network
    /// has goes into both, split at σ_exp of the truth, and identical
    /// predictions tie in every resample (fraction one half).
    #[test]
    fn comparison_scores_the_same_rows() {
        // (network, truth) and other in pb: two rows above σ_exp, one below.
        let values = [(1.01, 1.0), (0.5, 0.5), (1.1e-5, 1e-5)];
        let others_pb = [1.02, 0.5, 1.1e-5];
        let validation = PairValidation::with_comparison("c1c1", &values, &others_pb, "other_pb", 200);
        let comparison = validation.comparison.as_ref().expect("comparison");
        let above = comparison.above.as_ref().expect("rows above σ_exp");
        assert_eq!(above.statistics.count, 2);
        assert!((above.statistics.mape_percent - 1.0).abs() < 1e-9);
        assert!((validation.above.as_ref().expect("network").mape_percent - 0.5).abs() < 1e-9);
        let below = comparison.below.as_ref().expect("row below σ_exp");
        let tie = below.network_lower.as_ref().expect("resampled");
        assert_eq!((tie.mape, tie.quantile, tie.max), (0.5, [0.5; 3], 0.5));
        let text = table(std::slice::from_ref(&validation));
        assert!(text.lines().next().is_some_and(|header| header.contains("values")), "{text}");
        assert_eq!(text.lines().filter(|line| line.contains("other_pb")).count(), 2, "{text}");
        assert_eq!(text.lines().filter(|line| line.contains("P(network lower)")).count(), 2, "{text}");
        let without = PairValidation::with_comparison("c1c1", &values, &others_pb, "other_pb", 0);
        assert!(without.comparison.as_ref().and_then(|comparison| comparison.above.as_ref()).is_some_and(|above| above.network_lower.is_none()));
    }
}
