//! The input features of our networks and their z-scoring.
//!
//! The sets are invariant under the sign freedom of the mixing matrices
//! where that is cheap: χ̃⁺₁χ̃⁻₁ reads only bilinears of U row 1 and V row 1
//! (U11², U11·U12, V11², V11·V12, U11·V11), which do not change when both
//! rows flip; χ̃⁰₂χ̃⁰₂ reads only bilinears of N row 2. The cross sections of
//! χ̃⁰₂χ̃±₁ are quartic in the rows, so those pairs read the rows themselves
//! and rely on the canonical sign convention, which the manifests we write
//! declare for every pair. Masses enter as logarithms because the cross
//! sections fall roughly as powers of them.

use ndarray::Array2;

use super::TrainError;
use crate::expr::Expression;
use crate::pair::Pair;
use crate::pipeline::resolve_feature_variable;
use crate::record::InputRecord;

/// The network of a pair: LO or K.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StageKind {
    /// σ_LO in pb.
    Lo,
    /// K = σ_NLO / σ_LO.
    K,
}

impl StageKind {
    /// Short id used in file and network names.
    pub fn id(self) -> &'static str {
        match self {
            StageKind::Lo => "lo",
            StageKind::K => "k",
        }
    }

    /// Name of the mapped quantity in manifest output maps.
    pub fn quantity(self) -> &'static str {
        match self {
            StageKind::Lo => "sigma_pb",
            StageKind::K => "K",
        }
    }

    /// Parses `lo` or `k`.
    pub fn parse(text: &str) -> Result<Self, TrainError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "lo" => Ok(StageKind::Lo),
            "k" => Ok(StageKind::K),
            other => Err(TrainError::Invalid(format!("unknown stage '{other}'; expected lo or k"))),
        }
    }
}

const CHARGINO_BILINEARS: [&str; 5] = ["U11^2", "U11*U12", "V11^2", "V11*V12", "U11*V11"];
const NEUTRALINO_BILINEARS: [&str; 9] =
    ["N21^2", "N22^2", "N21*N22", "N23^2-N24^2", "N23*N24", "N21*N23", "N21*N24", "N22*N23", "N22*N24"];
const MIXED_ROWS: [&str; 8] = ["U11", "U12", "V11", "V12", "N21", "N22", "N23", "N24"];

/// Feature expressions of a pair's LO or K network. The K networks add the
/// mean squark mass and the gluino mass, which enter at NLO through the
/// QCD corrections.
pub fn feature_names(pair: Pair, stage: StageKind) -> Vec<String> {
    let mut names: Vec<&str> = match pair {
        Pair::C1c1 => CHARGINO_BILINEARS.iter().copied().chain(["log(m_chi1pm)", "log(m_1000001)", "log(m_1000002)"]).collect(),
        Pair::N2n2 => NEUTRALINO_BILINEARS
            .iter()
            .copied()
            .chain(["log(abs(m_chi20))", "log(m_1000001)", "log(m_2000001)", "log(m_2000002)", "log(m_1000002)"])
            .collect(),
        Pair::N2c1p | Pair::N2c1m => MIXED_ROWS
            .iter()
            .copied()
            .chain(["m_chi20/abs(m_chi20)", "log(abs(m_chi20))", "log(m_chi1pm)", "log(m_1000001)", "log(m_1000002)"])
            .collect(),
    };
    if stage == StageKind::K {
        names.extend(["log(mean_squark_mass_8)", "log(m_gluino)"]);
    }
    names.into_iter().map(str::to_string).collect()
}

/// Compiled features with z-score constants.
#[derive(Debug, Clone)]
pub struct FeatureSet {
    pub names: Vec<String>,
    expressions: Vec<Expression>,
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
}

impl FeatureSet {
    /// Compiles the expressions and fits the z-score constants on `records`
    /// (which must already be in the sign convention of the set).
    pub fn fit(names: Vec<String>, records: &[InputRecord]) -> Result<Self, TrainError> {
        let expressions =
            names.iter().map(|name| Expression::compile(name, &resolve_feature_variable)).collect::<Result<Vec<_>, _>>()?;
        let mut set = FeatureSet { mean: vec![0.0; names.len()], std: vec![1.0; names.len()], names, expressions };
        let raw = set.raw_values(records)?;
        let count = records.len().max(1) as f64;
        for column in 0..set.names.len() {
            let mean = raw.iter().map(|row| row[column]).sum::<f64>() / count;
            let variance = raw.iter().map(|row| (row[column] - mean).powi(2)).sum::<f64>() / count;
            set.mean[column] = mean;
            // A constant feature keeps unit scale instead of dividing by 0.
            set.std[column] = if variance.sqrt() > 1e-12 { variance.sqrt() } else { 1.0 };
        }
        Ok(set)
    }

    fn raw_values(&self, records: &[InputRecord]) -> Result<Vec<Vec<f64>>, TrainError> {
        let mut rows = Vec::with_capacity(records.len());
        let mut variables = [0.0f64; 20];
        for (index, record) in records.iter().enumerate() {
            for (slot, value) in variables.iter_mut().zip(record.values()) {
                *slot = value.unwrap_or(f64::NAN);
            }
            variables[19] = record.mean_squark_mass_gev().unwrap_or(f64::NAN);
            let row: Vec<f64> = self.expressions.iter().map(|expression| expression.evaluate(&variables)).collect();
            if let Some(position) = row.iter().position(|value| !value.is_finite()) {
                return Err(TrainError::Invalid(format!(
                    "record {index}: feature '{}' is {} (a missing or invalid input)",
                    self.names[position], row[position]
                )));
            }
            rows.push(row);
        }
        Ok(rows)
    }

    /// z-scored features as f32, computed as the inference core computes them.
    pub fn matrix(&self, records: &[InputRecord]) -> Result<Array2<f32>, TrainError> {
        let raw = self.raw_values(records)?;
        let mut matrix = Array2::<f32>::zeros((records.len(), self.names.len()));
        for (row, values) in raw.iter().enumerate() {
            for (column, value) in values.iter().enumerate() {
                matrix[[row, column]] = ((value - self.mean[column]) / self.std[column]) as f32;
            }
        }
        Ok(matrix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predict::canonicalize_signs;
    use crate::record::Column;

    fn record() -> InputRecord {
        let mut values = [0.0; 19];
        values[..8].copy_from_slice(&[-0.3, 0.95, -0.5, 0.86, 0.1, -0.2, 0.7, -0.68]);
        values[8] = -420.0;
        values[9] = 415.0;
        for (index, value) in values.iter_mut().enumerate().skip(10) {
            *value = 1500.0 + 37.0 * index as f64;
        }
        InputRecord::from_values(values)
    }

    fn flipped(record: &InputRecord, columns: &[Column]) -> InputRecord {
        let mut flipped = *record;
        for &column in columns {
            flipped.set(column, record.get(column).map(|value| -value));
        }
        flipped
    }

    #[test]
    fn features_are_sign_invariant() {
        let base = record();
        let flips = [
            flipped(&base, &[Column::N21, Column::N22, Column::N23, Column::N24]),
            flipped(&base, &[Column::U11, Column::U12, Column::V11, Column::V12]),
        ];
        for pair in crate::pair::PAIRS {
            for stage in [StageKind::Lo, StageKind::K] {
                let set = FeatureSet::fit(feature_names(pair, stage), &[canonicalize_signs(&base), canonicalize_signs(&record())])
                    .expect("valid features");
                let reference = set.matrix(&[canonicalize_signs(&base)]).expect("finite");
                for other in &flips {
                    let matrix = set.matrix(&[canonicalize_signs(other)]).expect("finite");
                    assert_eq!(matrix, reference, "{pair} {stage:?}");
                    if matches!(pair, Pair::C1c1 | Pair::N2n2) {
                        // Bilinear features need no canonicalisation.
                        let raw = set.matrix(&[*other]).expect("finite");
                        assert_eq!(raw, set.matrix(&[base]).expect("finite"), "{pair} {stage:?} without canonical signs");
                    }
                }
            }
        }
    }

    #[test]
    fn missing_input_is_an_error() {
        let mut incomplete = record();
        incomplete.set(Column::MGluino, None);
        let set = FeatureSet::fit(feature_names(Pair::C1c1, StageKind::Lo), &[record()]).expect("valid");
        assert!(set.matrix(&[incomplete]).is_ok(), "the LO features do not read the gluino mass");
        let error = FeatureSet::fit(feature_names(Pair::C1c1, StageKind::K), &[incomplete]).expect_err("gluino needed");
        assert!(error.to_string().contains("log(m_gluino)"), "{error}");
    }
}
