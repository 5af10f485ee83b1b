//! Batch prediction: LO, K and NLO for every point and pair, with checks.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::checks::{input_warnings, sigma_warnings, Warning};
use crate::input::Point;
use crate::manifest::SignConvention;
use crate::pair::Pair;
use crate::pipeline::WeightSet;
use crate::record::{Column, InputRecord};

/// Which perturbative orders to compute and report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// LO only; K is not computed.
    Lo,
    /// K and NLO (LO is computed too, since NLO = K · LO).
    Nlo,
    /// LO, K and NLO.
    #[default]
    Both,
}

impl Order {
    /// True if K and NLO are computed.
    pub fn includes_nlo(self) -> bool {
        self != Order::Lo
    }

    /// True if LO is reported (in XSECTION blocks).
    pub fn includes_lo(self) -> bool {
        self != Order::Nlo
    }
}

/// Outcome of one pair for one point.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// The numbers are valid (warnings may still apply).
    Ok,
    /// The input lacks values the pair needs. Rows with the same gaps share
    /// one list, which keeps large batches of partial rows cheap.
    NotComputable { missing: Arc<[String]> },
    /// The networks gave a non-finite or non-positive LO or K.
    Invalid { reason: String },
}

/// LO, K and NLO of one pair for one point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairPrediction {
    pub pair: Pair,
    #[serde(flatten)]
    pub status: Status,
    /// σ_LO in pb.
    pub lo_pb: Option<f64>,
    /// K = σ_NLO / σ_LO.
    pub k: Option<f64>,
    /// σ_NLO in pb.
    pub nlo_pb: Option<f64>,
    /// Relative spread of the LO ensemble (0 for a single network).
    pub lo_relative_uncertainty: Option<f64>,
    /// Relative spread of the K ensemble.
    pub k_relative_uncertainty: Option<f64>,
    /// LO and K spreads added in quadrature.
    pub nlo_relative_uncertainty: Option<f64>,
    pub warnings: Vec<Warning>,
}

impl PairPrediction {
    fn without_values(pair: Pair, status: Status, warnings: Vec<Warning>) -> Self {
        PairPrediction {
            pair,
            status,
            lo_pb: None,
            k: None,
            nlo_pb: None,
            lo_relative_uncertainty: None,
            k_relative_uncertainty: None,
            nlo_relative_uncertainty: None,
            warnings,
        }
    }
}

/// All pair predictions of one point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointPrediction {
    pub source: String,
    /// 0-based data row (0 for an SLHA file).
    pub row: usize,
    pub pairs: Vec<PairPrediction>,
}

/// Flips N row 2 so that its largest-magnitude element (the first, on a tie)
/// is positive, and U row 1 with V row 1 so that the larger-magnitude element
/// of U row 1 is positive. A flipped input maps to the same record.
pub fn canonicalize_signs(record: &InputRecord) -> InputRecord {
    let mut canonical = *record;
    flip_group(&mut canonical, &[Column::N21, Column::N22, Column::N23, Column::N24], &[]);
    flip_group(&mut canonical, &[Column::U11, Column::U12], &[Column::V11, Column::V12]);
    canonical
}

/// Negates `leading` and `companions` when the largest-magnitude element of
/// `leading` is negative. Missing values are left alone.
fn flip_group(record: &mut InputRecord, leading: &[Column], companions: &[Column]) {
    let mut largest: Option<f64> = None;
    for &column in leading {
        let Some(value) = record.get(column) else { return };
        if largest.is_none_or(|best| value.abs() > best.abs()) {
            largest = Some(value);
        }
    }
    if largest.is_some_and(|value| value < 0.0) {
        for &column in leading.iter().chain(companions) {
            record.set(column, record.get(column).map(|value| -value));
        }
    }
}

/// Predicts every requested pair for every point. Pairs the weight set does
/// not cover are reported as not computable.
pub fn predict(weights: &WeightSet, points: &[Point], pairs: &[Pair], order: Order) -> Vec<PointPrediction> {
    let records: Vec<InputRecord> = points
        .iter()
        .map(|point| match weights.sign_convention {
            SignConvention::Raw => point.record,
            SignConvention::Canonical => canonicalize_signs(&point.record),
        })
        .collect();
    let mut results: Vec<PointPrediction> = points
        .iter()
        .map(|point| PointPrediction { source: point.source.clone(), row: point.row, pairs: Vec::with_capacity(pairs.len()) })
        .collect();

    for &pair in pairs {
        let Some(pipeline) = weights.pipeline(pair) else {
            let missing: Arc<[String]> = Arc::from([format!("no network for {pair} in this weight set")]);
            for result in &mut results {
                result.pairs.push(PairPrediction::without_values(pair, Status::NotComputable { missing: missing.clone() }, Vec::new()));
            }
            continue;
        };
        let mut columns = pipeline.lo.columns.clone();
        if order.includes_nlo() {
            columns.extend(&pipeline.k.columns);
            columns.sort();
            columns.dedup();
        }

        let computable: Vec<usize> = (0..points.len()).filter(|&index| points[index].record.missing(&columns).is_empty()).collect();
        let subset: Vec<InputRecord> = computable.iter().map(|&index| records[index]).collect();
        let lo = pipeline.lo.evaluate(&subset, None);
        let lo_values: Vec<f64> = lo.iter().map(|value| value.value).collect();
        let k = order.includes_nlo().then(|| pipeline.k.evaluate(&subset, Some(&lo_values)));

        let mut slot = vec![None; points.len()];
        for (position, &index) in computable.iter().enumerate() {
            slot[index] = Some(position);
        }
        let mut missing_lists: HashMap<(Vec<Column>, bool), Arc<[String]>> = HashMap::new();
        for (index, point) in points.iter().enumerate() {
            let mut warnings = input_warnings(point, &columns);
            let Some(position) = slot[index] else {
                // Table rows name columns, SLHA points name blocks and keys.
                let table_row = point.line.is_some();
                let missing = missing_lists
                    .entry((point.record.missing(&columns), table_row))
                    .or_insert_with_key(|(gaps, _)| {
                        gaps.iter().map(|column| if table_row { column.name().to_string() } else { column.slha_source() }).collect()
                    })
                    .clone();
                results[index].pairs.push(PairPrediction::without_values(pair, Status::NotComputable { missing }, warnings));
                continue;
            };
            let lo_value = lo[position];
            let k_value = k.as_ref().map(|values| values[position]);
            let invalid = if !(lo_value.value.is_finite() && lo_value.value > 0.0) {
                Some(format!("the LO network returned σ_LO = {} pb, which is not a positive number", lo_value.value))
            } else {
                k_value
                    .filter(|k| !(k.value.is_finite() && k.value > 0.0))
                    .map(|k| format!("the K network returned K = {}, which is not a positive number", k.value))
            };
            if let Some(reason) = invalid {
                results[index].pairs.push(PairPrediction::without_values(pair, Status::Invalid { reason }, warnings));
                continue;
            }
            let nlo = k_value.map(|k| k.value * lo_value.value);
            warnings.extend(sigma_warnings(nlo.unwrap_or(lo_value.value)));
            results[index].pairs.push(PairPrediction {
                pair,
                status: Status::Ok,
                lo_pb: Some(lo_value.value),
                k: k_value.map(|k| k.value),
                nlo_pb: nlo,
                lo_relative_uncertainty: Some(lo_value.relative_spread),
                k_relative_uncertainty: k_value.map(|k| k.relative_spread),
                nlo_relative_uncertainty: k_value.map(|k| lo_value.relative_spread.hypot(k.relative_spread)),
                warnings,
            });
        }
    }
    results
}
