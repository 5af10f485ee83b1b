//! Output maps and the MAPE objective on the original scale.
//!
//! A network returns y; the output map turns it into the physical value
//! (σ in pb or K). The loss is the absolute relative error of the mapped
//! value, |f(y)/t − 1|, whose mean over rows is the MAPE that the
//! validation reports, so the training minimises the reported figure.
//!
//! A structured network returns several outputs that the value combines
//! with coefficients cₖ given per row (products of couplings, see
//! [`super::features::structured_coefficients`] and [`Structure`]). The
//! targets of a row are then [t, c₁, …, c_n].

use ndarray::ArrayView1;
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
    /// (f(y)/t − 1)². Like [`Loss::SquaredLog`] near the minimum, but
    /// defined for f(y) ≤ 0, which a structured network can give while it
    /// trains.
    SquaredRelative,
}

/// The way a structured network's outputs form the value.
#[derive(Debug, Clone, PartialEq)]
pub enum Structure {
    /// One output y: the value is f(y).
    Single,
    /// Outputs y₀ … y_n: the value is f(y₀) · Σₖ cₖ yₖ (k ≥ 1). Suits
    /// coefficient functions of either sign that may change sign with the
    /// masses.
    Linear { coefficients: usize },
    /// Outputs y₀ … y_{n−1}: the value is Σₖ sₖ cₖ f(yₖ) with fixed signs
    /// sₖ = ±1. Each term keeps its own relative precision when the terms
    /// span decades, but every coefficient function must keep one sign.
    SignedTerms { signs: Vec<f64> },
    /// K-factors: outputs y₀ … y_{2n−1}, the value is
    /// Σₖ wₖ f(y_{n+k}) with weights wₖ = sₖ cₖ g(yₖ) / Σⱼ sⱼ cⱼ g(yⱼ). The
    /// first n outputs learn the LO coefficient functions up to a common
    /// factor of the masses (g is `shape`, trained against the term
    /// targets). The last n learn one K-factor per coupling product. QCD does not
    /// change the couplings, so σ_NLO is a sum over the same products as
    /// σ_LO, and each term's K-factor depends on the masses alone.
    WeightedK { signs: Vec<f64>, shape: OutputMap },
}

/// The training objective: a loss of the mapped output.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    pub map: OutputMap,
    pub loss: Loss,
    pub structure: Structure,
    /// Term targets, for [`Structure::SignedTerms`]: the targets also carry
    /// the value of each term (after the coefficients), and the loss adds
    /// the mean squared relative error of the terms to that of the value.
    pub term_targets: bool,
}

impl Objective {
    /// Creates the MAPE objective.
    pub fn new(map: OutputMap) -> Self {
        Objective { map, loss: Loss::Mape, structure: Structure::Single, term_targets: false }
    }

    /// Creates an objective with the given loss.
    pub fn with_loss(map: OutputMap, loss: Loss) -> Self {
        Objective { map, loss, structure: Structure::Single, term_targets: false }
    }

    /// Creates the objective of a structured network.
    pub fn structured(map: OutputMap, loss: Loss, structure: Structure) -> Self {
        Objective { map, loss, structure, term_targets: false }
    }

    /// Returns the objective with term targets (see
    /// [`Objective::term_targets`]); `None` unless the structure has signed
    /// terms.
    ///
    /// A term whose target is not positive adds no loss: the function it
    /// belongs to changes sign there (the χ̃⁰₂χ̃⁰₂ interference of Z and right
    /// squarks does where d̃_R is much lighter than ũ_R), which a positive
    /// f(yₖ) cannot follow.
    pub fn with_term_targets(self) -> Option<Self> {
        matches!(self.structure, Structure::SignedTerms { .. } | Structure::WeightedK { .. }).then_some(Objective { term_targets: true, ..self })
    }

    /// Returns the map of the outputs that term targets train: the shape
    /// map of [`Structure::WeightedK`], else the output map.
    pub fn term_map(&self) -> OutputMap {
        match &self.structure {
            Structure::WeightedK { shape, .. } => *shape,
            _ => self.map,
        }
    }

    /// Number of coefficients cₖ in the targets of a row.
    pub fn coefficients(&self) -> usize {
        match &self.structure {
            Structure::Single => 0,
            Structure::Linear { coefficients } => *coefficients,
            Structure::SignedTerms { signs } | Structure::WeightedK { signs, .. } => signs.len(),
        }
    }

    /// Number of network outputs.
    pub fn outputs(&self) -> usize {
        match &self.structure {
            Structure::Single => 1,
            Structure::Linear { coefficients } => 1 + coefficients,
            Structure::SignedTerms { signs } => signs.len(),
            Structure::WeightedK { signs, .. } => 2 * signs.len(),
        }
    }

    /// Number of target columns: the label, the coefficients and, with
    /// term targets, the term values.
    pub fn target_columns(&self) -> usize {
        let terms = if self.term_targets { self.coefficients() } else { 0 };
        1 + self.coefficients() + terms
    }

    /// Maps one row's outputs `y` to the value, with `target` the row's
    /// targets (only the coefficients are read).
    pub fn value(&self, y: &[f64], target: ArrayView1<'_, f64>) -> f64 {
        match &self.structure {
            Structure::Single => self.map.value(y[0]),
            Structure::Linear { coefficients } => self.map.value(y[0]) * (1..=*coefficients).map(|k| target[k] * y[k]).sum::<f64>(),
            Structure::SignedTerms { signs } => signs.iter().enumerate().map(|(k, sign)| sign * target[k + 1] * self.map.value(y[k])).sum(),
            Structure::WeightedK { signs, shape } => {
                let count = signs.len();
                let (mut numerator, mut denominator) = (0.0, 0.0);
                for (k, sign) in signs.iter().enumerate() {
                    let weight = sign * target[k + 1] * shape.value(y[k]);
                    numerator += weight * self.map.value(y[count + k]);
                    denominator += weight;
                }
                numerator / denominator
            }
        }
    }

    /// Returns the loss of one row with label t = `target[0]` > 0 and
    /// writes its derivative with respect to each output into `gradient`.
    /// For MAPE the derivative at f(y) = t is taken as 0.
    pub fn loss_and_gradient(&self, y: &[f64], target: ArrayView1<'_, f64>, gradient: &mut [f64]) -> f64 {
        // First the value and d value/d yₖ (kept in `gradient`).
        let value = match &self.structure {
            Structure::Single => {
                let (value, derivative) = self.map.value_and_derivative(y[0]);
                gradient[0] = derivative;
                value
            }
            Structure::Linear { coefficients } => {
                let (scale, scale_derivative) = self.map.value_and_derivative(y[0]);
                let sum = (1..=*coefficients).map(|k| target[k] * y[k]).sum::<f64>();
                gradient[0] = scale_derivative * sum;
                for k in 1..=*coefficients {
                    gradient[k] = scale * target[k];
                }
                scale * sum
            }
            Structure::SignedTerms { signs } => {
                let mut value = 0.0;
                for (k, sign) in signs.iter().enumerate() {
                    let (term, derivative) = self.map.value_and_derivative(y[k]);
                    value += sign * target[k + 1] * term;
                    gradient[k] = sign * target[k + 1] * derivative;
                }
                value
            }
            Structure::WeightedK { signs, shape } => {
                let count = signs.len();
                let mut weights = vec![0.0; count];
                let mut denominator = 0.0;
                for (k, sign) in signs.iter().enumerate() {
                    weights[k] = sign * target[k + 1] * shape.value(y[k]);
                    denominator += weights[k];
                }
                let factors: Vec<(f64, f64)> = (0..count).map(|k| self.map.value_and_derivative(y[count + k])).collect();
                let value = weights.iter().zip(&factors).map(|(weight, (factor, _))| weight * factor).sum::<f64>() / denominator;
                // d value/d yₖ = g'(yₖ)/g(yₖ) · wₖ (fₖ − value) / Σ w, and
                // d value/d y_{n+k} = wₖ f'(y_{n+k}) / Σ w.
                for k in 0..count {
                    let (_, shape_derivative) = shape.value_and_derivative(y[k]);
                    let weight_derivative = signs[k] * target[k + 1] * shape_derivative;
                    gradient[k] = weight_derivative * (factors[k].0 - value) / denominator;
                    gradient[count + k] = weights[k] * factors[k].1 / denominator;
                }
                value
            }
        };
        let label = target[0];
        let (loss, loss_derivative) = match self.loss {
            Loss::Mape => {
                let relative = value / label - 1.0;
                let sign = if relative > 0.0 {
                    1.0
                } else if relative < 0.0 {
                    -1.0
                } else {
                    0.0
                };
                (relative.abs(), sign / label)
            }
            Loss::SquaredLog => {
                // A non-positive value (possible with the linear map) gets the
                // loss of a tiny positive one, with the gradient pushing it up.
                let safe = value.max(1e-300);
                let log_ratio = (safe / label).ln();
                (log_ratio * log_ratio, 2.0 * log_ratio / safe)
            }
            Loss::SquaredRelative => {
                let relative = value / label - 1.0;
                (relative * relative, 2.0 * relative / label)
            }
        };
        for slot in gradient.iter_mut().take(self.outputs()) {
            *slot *= loss_derivative;
        }
        match (&self.structure, self.term_targets) {
            (Structure::SignedTerms { signs } | Structure::WeightedK { signs, .. }, true) => {
                let count = signs.len();
                let term_map = self.term_map();
                let mut term_loss = 0.0;
                for k in 0..count {
                    let expected = target[1 + count + k];
                    if !(expected > 0.0) {
                        continue;
                    }
                    let (term, derivative) = term_map.value_and_derivative(y[k]);
                    let relative = term / expected - 1.0;
                    term_loss += relative * relative;
                    gradient[k] += 2.0 * relative / expected * derivative / count as f64;
                }
                loss + term_loss / count as f64
            }
            _ => loss,
        }
    }

    /// Returns the loss of one row of a single-output network with label
    /// t > 0 and its derivative with respect to y.
    pub fn loss_and_derivative(&self, y: f64, target: f64) -> (f64, f64) {
        let mut gradient = [0.0];
        let loss = self.loss_and_gradient(&[y], ArrayView1::from(&[target]), &mut gradient);
        (loss, gradient[0])
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
    fn structured_gradients_match_differences() {
        let map = OutputMap::Exp { scale: 1.5, offset: -2.0 };
        let k_map = OutputMap::Linear { scale: 0.07, offset: 1.25 };
        // Label, three coefficients, three term targets (one not positive).
        let target = [0.2, 0.7, -0.4, 0.25, 0.3, -1.0, 0.2];
        let y = [0.3, -0.2, 0.5, 0.1, -0.7, 0.4];
        let objectives = [
            Objective::structured(map, Loss::SquaredRelative, Structure::Linear { coefficients: 3 }),
            Objective::structured(map, Loss::SquaredRelative, Structure::SignedTerms { signs: vec![1.0, -1.0, 1.0] }),
            Objective::structured(map, Loss::SquaredRelative, Structure::SignedTerms { signs: vec![1.0, -1.0, 1.0] }).with_term_targets().expect("signed terms"),
            Objective::structured(k_map, Loss::SquaredRelative, Structure::WeightedK { signs: vec![1.0, -1.0, 1.0], shape: map }),
            Objective::structured(k_map, Loss::SquaredRelative, Structure::WeightedK { signs: vec![1.0, -1.0, 1.0], shape: map })
                .with_term_targets()
                .expect("weighted K"),
        ];
        for objective in objectives {
            let outputs = objective.outputs();
            let mut gradient = vec![0.0; outputs];
            objective.loss_and_gradient(&y[..outputs], ArrayView1::from(&target), &mut gradient);
            let mut scratch = vec![0.0; outputs];
            for k in 0..outputs {
                let step = 1e-6;
                let (mut plus, mut minus) = (y[..outputs].to_vec(), y[..outputs].to_vec());
                plus[k] += step;
                minus[k] -= step;
                let numeric = (objective.loss_and_gradient(&plus, ArrayView1::from(&target), &mut scratch)
                    - objective.loss_and_gradient(&minus, ArrayView1::from(&target), &mut scratch))
                    / (2.0 * step);
                assert!((numeric - gradient[k]).abs() < 1e-6 * (1.0 + numeric.abs()), "{objective:?} output {k}: {numeric} vs {}", gradient[k]);
            }
        }
    }

    #[test]
    fn loss_is_relative_error() {
        let objective = Objective::new(OutputMap::Linear { scale: 2.0, offset: 1.0 });
        let (loss, derivative) = objective.loss_and_derivative(0.5, 1.6);
        assert!((loss - 0.25).abs() < 1e-12);
        assert!((derivative - 2.0 / 1.6).abs() < 1e-12);
    }
}
