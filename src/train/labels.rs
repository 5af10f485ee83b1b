//! Sources of training labels.
//!
//! The trainer takes labels from anything that implements [`LabelSource`]:
//! the exact LO engine, a trained network set used as a teacher, or a
//! closure (the smoke test uses a closed-form function).

use super::features::StageKind;
use crate::checks::input_warnings;
use crate::manifest::SignConvention;
use crate::pair::Pair;
use crate::pipeline::WeightSet;
use crate::predict::canonicalize_signs;
use crate::record::InputRecord;

/// Computes labels for points; `None` marks a point the source cannot
/// label (outside its domain, or a failed computation).
pub trait LabelSource: Sync {
    /// Returns a short description for logs and READMEs.
    fn describe(&self) -> String;

    /// Labels for `records` of `pair`: σ in pb for [`StageKind::Lo`], K for
    /// [`StageKind::K`].
    fn labels(&self, pair: Pair, stage: StageKind, records: &[InputRecord]) -> Vec<Option<f64>>;
}

/// A label function given as a closure, with a description.
pub struct FunctionLabels<F> {
    pub description: String,
    pub function: F,
}

impl<F> LabelSource for FunctionLabels<F>
where
    F: Fn(Pair, StageKind, &InputRecord) -> Option<f64> + Sync,
{
    fn describe(&self) -> String {
        self.description.clone()
    }

    fn labels(&self, pair: Pair, stage: StageKind, records: &[InputRecord]) -> Vec<Option<f64>> {
        records.iter().map(|record| (self.function)(pair, stage, record)).collect()
    }
}

/// A network set used as a teacher: its LO or K prediction is the label.
/// Points outside the teacher's training domain (any input warning of
/// [`crate::checks::input_warnings`]) and values that are not finite and
/// positive are reported as unlabelled.
pub struct TeacherLabels {
    pub description: String,
    pub weights: WeightSet,
}

impl TeacherLabels {
    /// Returns the teacher's σ_NLO = σ_LO · K in pb for `records` of `pair`,
    /// with `None` outside its domain as for [`LabelSource::labels`]. A teacher's
    /// K was trained next to its own LO network and partly absorbs that
    /// network's errors. Their product is therefore closer to the NLO truth
    /// than the K alone, and dividing it by the exact σ_LO gives a K label
    /// that fits the exact LO.
    pub fn nlo_pb(&self, pair: Pair, records: &[InputRecord]) -> Vec<Option<f64>> {
        let lo = self.predict(pair, StageKind::Lo, records);
        let k = self.predict(pair, StageKind::K, records);
        lo.into_iter().zip(k).map(|(lo, k)| Some(lo? * k?).filter(|nlo| nlo.is_finite() && *nlo > 0.0)).collect()
    }

    fn predict(&self, pair: Pair, stage: StageKind, records: &[InputRecord]) -> Vec<Option<f64>> {
        let Some(pipeline) = self.weights.pipeline(pair) else {
            return vec![None; records.len()];
        };
        let records: Vec<InputRecord> = match self.weights.sign_convention {
            SignConvention::Raw => records.to_vec(),
            SignConvention::Canonical => records.iter().map(canonicalize_signs).collect(),
        };
        let lo: Vec<f64> = pipeline.lo.evaluate(&records, None).iter().map(|value| value.value).collect();
        let values = match stage {
            StageKind::Lo => lo,
            StageKind::K => pipeline.k.evaluate(&records, Some(&lo)).iter().map(|value| value.value).collect(),
        };
        // The domain of a K label includes the LO network's inputs, which
        // the K stage reads through the stacking.
        let columns: Vec<crate::record::Column> = match stage {
            StageKind::Lo => pipeline.lo.columns.clone(),
            StageKind::K => pipeline.lo.columns.iter().chain(&pipeline.k.columns).copied().collect(),
        };
        values
            .into_iter()
            .zip(&records)
            .map(|(value, record)| {
                let point = crate::input::Point::from_row("teacher", 0, 1, *record);
                let in_domain = input_warnings(&point, &columns).is_empty();
                (in_domain && value.is_finite() && value > 0.0).then_some(value)
            })
            .collect()
    }
}

impl LabelSource for TeacherLabels {
    fn describe(&self) -> String {
        self.description.clone()
    }

    fn labels(&self, pair: Pair, stage: StageKind, records: &[InputRecord]) -> Vec<Option<f64>> {
        self.predict(pair, stage, records)
    }
}
