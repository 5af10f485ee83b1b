//! Output maps and the MAPE objective on the original scale.
//!
//! A network returns y; the output map turns it into the physical value
//! (σ in pb or K). The loss is the absolute relative error of the mapped
//! value, |f(y)/t − 1|, whose mean over rows is the MAPE that the
//! validation reports, so the training minimises the reported figure.

use serde::{Deserialize, Serialize};

/// The map from the network output y to the physical value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum OutputMap {
    /// exp(scale·y + offset), for cross sections spanning decades.
    Exp { scale: f64, offset: f64 },
    /// scale·y + offset, for K-factors.
    Linear { scale: f64, offset: f64 },
}

impl OutputMap {
    /// Fits the map so that the labels correspond to y of mean 0 and
    /// standard deviation 1: on ln t for [`OutputMap::Exp`], on t for
    /// [`OutputMap::Linear`]. Returns `None` for an empty label set or, for
    /// the exponential map, a non-positive label.
    pub fn fit_exp(labels: &[f64]) -> Option<Self> {
        if labels.iter().any(|&t| !(t > 0.0 && t.is_finite())) {
            return None;
        }
        let logs: Vec<f64> = labels.iter().map(|t| t.ln()).collect();
        let (mean, std) = mean_and_std(&logs)?;
        Some(OutputMap::Exp { scale: std.max(1e-3), offset: mean })
    }

    /// See [`OutputMap::fit_exp`].
    pub fn fit_linear(labels: &[f64]) -> Option<Self> {
        if labels.iter().any(|t| !t.is_finite()) {
            return None;
        }
        let (mean, std) = mean_and_std(labels)?;
        Some(OutputMap::Linear { scale: std.max(1e-6), offset: mean })
    }

    /// Maps the network output `y` to the physical value.
    pub fn value(&self, y: f64) -> f64 {
        match *self {
            OutputMap::Exp { scale, offset } => (scale * y + offset).exp(),
            OutputMap::Linear { scale, offset } => scale * y + offset,
        }
    }

    /// Returns the value and its derivative with respect to y.
    pub fn value_and_derivative(&self, y: f64) -> (f64, f64) {
        match *self {
            OutputMap::Exp { scale, .. } => {
                let value = self.value(y);
                (value, scale * value)
            }
            OutputMap::Linear { scale, .. } => (self.value(y), scale),
        }
    }

    /// Formats the map for a manifest, `sigma_pb = exp(…)` or `K = …`. The
    /// core's expression parser reads it back to the same f64 constants.
    pub fn manifest_expression(&self, quantity: &str) -> String {
        match *self {
            OutputMap::Exp { scale, offset } => format!("{quantity} = exp({scale:?} * y + ({offset:?}))"),
            OutputMap::Linear { scale, offset } => format!("{quantity} = {scale:?} * y + ({offset:?})"),
        }
    }
}

fn mean_and_std(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let count = values.len() as f64;
    let mean = values.iter().sum::<f64>() / count;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / count;
    Some((mean, variance.sqrt()))
}

/// The per-row loss minimised in training.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Loss {
    /// |f(y)/t − 1|, whose mean is the MAPE.
    #[default]
    Mape,
    /// (ln f(y) − ln t)². It is close to the squared relative error for
    /// small errors, and its gradient shrinks with the error, which lets Adam
    /// converge faster than on the absolute error.
    SquaredLog,
}

/// The training objective: a loss of the mapped output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Objective {
    pub map: OutputMap,
    pub loss: Loss,
}

impl Objective {
    /// Creates the MAPE objective.
    pub fn new(map: OutputMap) -> Self {
        Objective { map, loss: Loss::Mape }
    }

    /// Creates an objective with the given loss.
    pub fn with_loss(map: OutputMap, loss: Loss) -> Self {
        Objective { map, loss }
    }

    /// Returns the loss of one row with label t > 0 and its derivative with
    /// respect to y. For MAPE the derivative at f(y) = t is taken as 0.
    pub fn loss_and_derivative(&self, y: f64, target: f64) -> (f64, f64) {
        let (value, derivative) = self.map.value_and_derivative(y);
        match self.loss {
            Loss::Mape => {
                let relative = value / target - 1.0;
                let sign = if relative > 0.0 {
                    1.0
                } else if relative < 0.0 {
                    -1.0
                } else {
                    0.0
                };
                (relative.abs(), sign * derivative / target)
            }
            Loss::SquaredLog => {
                // A non-positive value (possible with the linear map) gets the
                // loss of a tiny positive one, with the gradient pushing it up.
                let safe = value.max(1e-300);
                let log_ratio = (safe / target).ln();
                (log_ratio * log_ratio, 2.0 * log_ratio * derivative / safe)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Expression;

    #[test]
    fn manifest_expression_round_trips() {
        let maps = [OutputMap::Exp { scale: 3.25, offset: -7.125 }, OutputMap::Linear { scale: 0.0625, offset: 1.25 }];
        for map in maps {
            let text = map.manifest_expression("x");
            let right = text.split_once('=').expect("has '='").1;
            let expression = Expression::compile(right, &|name| (name == "y").then_some(0)).expect("parses");
            for y in [-2.0, 0.0, 0.5, 3.0] {
                assert_eq!(expression.evaluate(&[y]), map.value(y), "{text} at y = {y}");
            }
        }
    }

    #[test]
    fn fit_exp_standardises_log_labels() {
        let labels = [1e-4, 1e-2, 1.0];
        let OutputMap::Exp { scale, offset } = OutputMap::fit_exp(&labels).expect("positive labels") else {
            panic!("expected the exponential map");
        };
        assert!((offset - (1e-2f64).ln()).abs() < 1e-12);
        assert!((scale - (2.0f64 / 3.0).sqrt() * (100.0f64).ln()).abs() < 1e-12);
        assert!(OutputMap::fit_exp(&[1.0, 0.0]).is_none());
    }

    #[test]
    fn squared_log_derivative_matches_difference() {
        let objective = Objective::with_loss(OutputMap::Exp { scale: 1.5, offset: -2.0 }, Loss::SquaredLog);
        let (loss, derivative) = objective.loss_and_derivative(0.3, 0.2);
        let expected = (1.5f64 * 0.3 - 2.0 - 0.2f64.ln()).powi(2);
        assert!((loss - expected).abs() < 1e-12);
        let step = 1e-6;
        let numeric = (objective.loss_and_derivative(0.3 + step, 0.2).0 - objective.loss_and_derivative(0.3 - step, 0.2).0) / (2.0 * step);
        assert!((numeric - derivative).abs() < 1e-6, "{numeric} vs {derivative}");
    }

    #[test]
    fn loss_is_relative_error() {
        let objective = Objective::new(OutputMap::Linear { scale: 2.0, offset: 1.0 });
        let (loss, derivative) = objective.loss_and_derivative(0.5, 1.6);
        assert!((loss - 0.25).abs() < 1e-12);
        assert!((derivative - 2.0 / 1.6).abs() < 1e-12);
    }
}
