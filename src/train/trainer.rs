//! The training loop of one network: shuffled mini-batches with Adam, a
//! validation pass after every epoch, restarts from the best weights with
//! half the learning rate when the validation MAPE stops improving, and
//! early stopping after the last restart.

use std::time::Instant;

use ndarray::{ArrayView2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::adam::Adam;
use super::mlp::Mlp;
use super::objective::{Loss, Objective, OutputMap, Structure};

/// Hyper-parameters of one training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Widths of the SELU hidden layers; one linear output layer follows.
    pub hidden: Vec<usize>,
    pub batch_size: usize,
    pub learning_rate: f32,
    pub max_epochs: usize,
    /// Epochs without a better validation MAPE before a restart.
    pub patience: usize,
    /// Restarts from the best weights, each with half the learning rate,
    /// before training stops.
    pub restarts: usize,
    /// Loss minimised on the training rows; early stopping always follows
    /// the validation MAPE.
    #[serde(default)]
    pub loss: Loss,
    /// Factor applied to the learning rate after every epoch (1 keeps it
    /// until a restart halves it). A steady decay averages out the batch
    /// noise that otherwise limits the precision of the fit.
    #[serde(default = "no_decay")]
    pub learning_rate_decay: f32,
    /// Smallest number of rows a thread handles in one batch; below it the
    /// thread overhead outweighs the gain.
    pub min_chunk_rows: usize,
    /// Normalised outputs of a structured network with signed terms: the
    /// exponential output map is fitted on ln(t/Σₖ|cₖ|), the label over the
    /// summed coupling products, instead of on ln t. With mass factors in
    /// the cₖ, the outputs then span about one unit instead of a few
    /// hundredths. The output biases start accordingly.
    #[serde(default)]
    pub normalised_outputs: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            hidden: vec![100; 8],
            batch_size: 256,
            learning_rate: 1e-3,
            max_epochs: 1000,
            patience: 20,
            restarts: 4,
            loss: Loss::Mape,
            learning_rate_decay: 1.0,
            min_chunk_rows: 64,
            normalised_outputs: false,
        }
    }
}

fn no_decay() -> f32 {
    1.0
}

/// One line of the training log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    pub epoch: usize,
    pub restart: usize,
    pub learning_rate: f32,
    /// Mean training loss over the epoch's batches, times 100 (the MAPE in
    /// percent for the MAPE loss).
    pub train_mape_percent: f64,
    pub validation_mape_percent: f64,
    /// Largest absolute relative validation error, in percent.
    pub validation_max_percent: f64,
    /// Training samples processed per second of wall time in this epoch.
    pub samples_per_second: f64,
    pub improved: bool,
}

/// Receives progress during training (progress bars, logs, checkpoints).
pub trait TrainObserver {
    /// Called after every batch with the rows done and total in the epoch.
    fn batch(&mut self, _rows_done: usize, _rows_total: usize) {}

    /// Called after every epoch with the best network so far.
    fn epoch(&mut self, record: &EpochRecord, best: &Mlp);
}

/// An observer that does nothing.
pub struct Silent;

impl TrainObserver for Silent {
    fn epoch(&mut self, _record: &EpochRecord, _best: &Mlp) {}
}

/// A trained network with its validation figures and log.
#[derive(Debug, Clone)]
pub struct TrainedNetwork {
    pub network: Mlp,
    pub seed: u64,
    /// Validation MAPE of `network`, in percent.
    pub validation_mape_percent: f64,
    pub validation_max_percent: f64,
    pub log: Vec<EpochRecord>,
}

/// Mapped values of a network's outputs, one per row of `targets` (the
/// label in column 0 is not read).
pub fn mapped_values(network: &Mlp, features: ArrayView2<'_, f32>, targets: ArrayView2<'_, f64>, objective: &Objective) -> Vec<f64> {
    let outputs = network.forward_parallel(features);
    outputs
        .rows()
        .into_iter()
        .zip(targets.rows())
        .map(|(y, target)| objective.value(&y.iter().map(|&v| f64::from(v)).collect::<Vec<f64>>(), target))
        .collect()
}

/// Absolute relative errors of the mapped outputs against the labels in
/// column 0 of `targets`.
pub fn relative_errors(network: &Mlp, features: ArrayView2<'_, f32>, targets: ArrayView2<'_, f64>, objective: &Objective) -> Vec<f64> {
    let values = mapped_values(network, features, targets, objective);
    values.iter().zip(targets.column(0)).map(|(value, label)| (value / label - 1.0).abs()).collect()
}

/// Sets the output biases of a structured network so that its first values
/// are of the size of the typical label: Σₖ |cₖ| yₖ = 1 on average for
/// [`Structure::Linear`], Σₖ |cₖ| f(yₖ) = f(0) for [`Structure::SignedTerms`].
/// The absolute values keep products of either sign from cancelling into a
/// tiny mean, whose inverse would blow up the first steps. With
/// `normalised` (see [`TrainConfig::normalised_outputs`]) each f(yₖ) starts
/// at the geometric mean of t/Σₖ|cₖ|, or, with term targets, at that of
/// its positive term targets.
fn start_structured_outputs(network: &mut Mlp, targets: ArrayView2<'_, f64>, objective: &Objective, normalised: bool) {
    let coefficients = objective.coefficients();
    let sums: Vec<f64> = targets.rows().into_iter().map(|row| row.iter().skip(1).take(coefficients).map(|c| c.abs()).sum::<f64>()).collect();
    let mean = sums.iter().sum::<f64>() / targets.nrows().max(1) as f64;
    if !(mean > 1e-300 && mean.is_finite()) {
        return;
    }
    let Some(bias) = network.biases.last_mut() else { return };
    match (&objective.structure, objective.map) {
        (Structure::Linear { .. }, _) => bias.iter_mut().skip(1).for_each(|b| *b = (1.0 / mean) as f32),
        (Structure::SignedTerms { .. }, OutputMap::Exp { scale, offset }) if normalised => {
            let ratio = mean_of_finite(targets.column(0).iter().zip(&sums).map(|(t, sum)| (t / sum).ln())).unwrap_or(offset);
            for (k, b) in bias.iter_mut().enumerate() {
                let term = if objective.term_targets {
                    mean_of_finite(targets.column(1 + coefficients + k).iter().filter(|&&v| v > 0.0).map(|v| v.ln()))
                } else {
                    None
                };
                *b = ((term.unwrap_or(ratio) - offset) / scale) as f32;
            }
        }
        (Structure::SignedTerms { .. }, OutputMap::Exp { scale, .. }) => bias.iter_mut().for_each(|b| *b = (-mean.ln() / scale) as f32),
        // The K-factor outputs start at the mean label (bias 0 of the
        // linear map), the shapes at the geometric mean of their targets.
        (Structure::WeightedK { shape: OutputMap::Exp { scale, offset }, .. }, _) => {
            for (k, b) in bias.iter_mut().enumerate() {
                *b = if k < coefficients {
                    let term = mean_of_finite(targets.column(1 + coefficients + k).iter().filter(|&&v| v > 0.0).map(|v| v.ln()));
                    ((term.unwrap_or(*offset) - offset) / scale) as f32
                } else {
                    0.0
                };
            }
        }
        _ => {}
    }
}

/// Returns the mean of the finite values, or `None` when there is none.
fn mean_of_finite(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.filter(|v| v.is_finite()).fold((0.0, 0usize), |(sum, count), v| (sum + v, count + 1));
    (count > 0).then(|| sum / count as f64)
}

fn mape_and_max(errors: &[f64]) -> (f64, f64) {
    if errors.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mape = errors.iter().sum::<f64>() / errors.len() as f64;
    let max = errors.iter().copied().fold(0.0, f64::max);
    (mape * 100.0, max * 100.0)
}

/// Trains one network from `seed` on z-scored features and targets (the
/// positive label, then the coefficients of a structured objective) and
/// returns the weights with the lowest validation MAPE. The loss is
/// `config.loss`, whatever the loss of `objective`. With `initial`, training
/// continues from those weights (a warm start), and `seed` only orders the
/// batches. The caller checks that its shape fits the features,
/// `config.hidden` and the objective.
pub fn train_network(
    train: (ArrayView2<'_, f32>, ArrayView2<'_, f64>),
    validation: (ArrayView2<'_, f32>, ArrayView2<'_, f64>),
    objective: &Objective,
    config: &TrainConfig,
    seed: u64,
    initial: Option<&Mlp>,
    observer: &mut dyn TrainObserver,
) -> TrainedNetwork {
    let (features, targets) = train;
    let objective = &Objective { loss: config.loss, ..objective.clone() };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut widths = vec![features.ncols()];
    widths.extend(&config.hidden);
    widths.push(objective.outputs());
    let mut network = match initial {
        Some(initial) => initial.clone(),
        None => {
            let mut network = Mlp::lecun_normal(&widths, config.hidden.len(), &mut rng);
            start_structured_outputs(&mut network, targets, objective, config.normalised_outputs);
            network
        }
    };
    let mut learning_rate = config.learning_rate;
    let mut adam = Adam::new(&network, learning_rate);

    let evaluate = |candidate: &Mlp| mape_and_max(&relative_errors(candidate, validation.0, validation.1, objective));
    let mut best = network.clone();
    let (mut best_mape, mut best_max) = evaluate(&best);
    let mut since_best = 0;
    let mut restart = 0;
    let mut log = Vec::new();
    let mut order: Vec<usize> = (0..features.nrows()).collect();
    let batch_size = config.batch_size.max(1);

    for epoch in 1..=config.max_epochs {
        let started = Instant::now();
        order.shuffle(&mut rng);
        let mut loss_sum = 0.0;
        let mut batches = 0;
        for (index, batch) in order.chunks(batch_size).enumerate() {
            let batch_features = features.select(Axis(0), batch);
            let batch_targets = targets.select(Axis(0), batch);
            let (loss, gradients) = network.batch_gradients(batch_features.view(), batch_targets.view(), objective, config.min_chunk_rows);
            adam.update(&mut network, &gradients);
            loss_sum += loss;
            batches += 1;
            observer.batch(((index + 1) * batch_size).min(order.len()), order.len());
        }
        let seconds = started.elapsed().as_secs_f64();

        let (mape, max) = evaluate(&network);
        // An epoch has diverged when its loss overflowed or its validation
        // error jumped far above the best one (SELU networks whose weights
        // grew too large can also settle at a constant output, 100 % MAPE).
        // The margin leaves the usual epoch-to-epoch noise of the
        // validation MAPE, up to a few times the best value, alone.
        let diverged = !(loss_sum.is_finite() && mape.is_finite()) || mape > 5.0 * best_mape + 10.0;
        let improved = mape < best_mape;
        if improved {
            best = network.clone();
            best_mape = mape;
            best_max = max;
            since_best = 0;
        } else {
            since_best += 1;
        }
        let record = EpochRecord {
            epoch,
            restart,
            learning_rate,
            train_mape_percent: loss_sum / batches.max(1) as f64 * 100.0,
            validation_mape_percent: mape,
            validation_max_percent: max,
            samples_per_second: order.len() as f64 / seconds.max(1e-9),
            improved,
        };
        observer.epoch(&record, &best);
        log.push(record);

        learning_rate *= config.learning_rate_decay;
        adam.learning_rate = learning_rate;
        // Diverged weights rarely recover, and waiting out the patience
        // would waste the remaining epochs, so a blow-up returns to the best
        // weights at once, without using up a restart.
        let patience_ran_out = !diverged && since_best >= config.patience;
        if patience_ran_out && restart >= config.restarts {
            break;
        }
        if diverged || patience_ran_out {
            restart += usize::from(patience_ran_out);
            learning_rate /= 2.0;
            network = best.clone();
            adam = Adam::new(&network, learning_rate);
            since_best = 0;
        }
    }
    TrainedNetwork { network: best, seed, validation_mape_percent: best_mape, validation_max_percent: best_max, log }
}

/// Deterministic split of `count` rows into training and validation
/// indices; `validation_fraction` of the rows (at least one when
/// `count` ≥ 2) go to validation.
pub fn split_indices(count: usize, validation_fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..count).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let mut validation = ((count as f64) * validation_fraction.clamp(0.0, 1.0)).round() as usize;
    if count >= 2 {
        validation = validation.clamp(1, count - 1);
    }
    let training = order.split_off(validation);
    (training, order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::objective::OutputMap;
    use ndarray::Array2;

    #[test]
    fn training_reduces_validation_error() {
        let rows = 400;
        let features = Array2::from_shape_fn((rows, 2), |(i, j)| (((i * 7 + j * 13) % 97) as f32 / 48.5) - 1.0);
        let labels = Array2::from_shape_fn((rows, 1), |(i, _)| (0.8 * f64::from(features[[i, 0]]) - 0.3 * f64::from(features[[i, 1]])).exp());
        let objective = Objective::new(OutputMap::fit_exp(labels.as_slice().expect("contiguous")).expect("positive"));
        let config = TrainConfig { hidden: vec![16, 16], batch_size: 32, max_epochs: 40, patience: 5, restarts: 1, ..TrainConfig::default() };
        let view = (features.view(), labels.view());
        let trained = train_network(view, view, &objective, &config, 3, None, &mut Silent);
        let first = trained.log.first().expect("one epoch at least").validation_mape_percent;
        assert!(trained.validation_mape_percent < first / 3.0, "MAPE {first} % → {} %", trained.validation_mape_percent);
        let again = train_network(view, view, &objective, &config, 3, None, &mut Silent);
        assert_eq!(again.network, trained.network, "same seed, same weights");
    }

    #[test]
    fn train_network_recovers_from_a_diverged_epoch() {
        let rows = 200;
        let features = Array2::from_shape_fn((rows, 2), |(i, j)| (((i * 7 + j * 13) % 97) as f32 / 48.5) - 1.0);
        let labels = Array2::from_shape_fn((rows, 1), |(i, _)| (3.0 * f64::from(features[[i, 0]])).exp());
        let objective = Objective::new(OutputMap::fit_exp(labels.as_slice().expect("contiguous")).expect("positive"));
        // A rate of 1e3 overflows SELU networks within the first epoch.
        let config =
            TrainConfig { hidden: vec![16, 16], batch_size: 8, learning_rate: 1e3, max_epochs: 40, patience: 1000, restarts: 0, ..TrainConfig::default() };
        let view = (features.view(), labels.view());
        let trained = train_network(view, view, &objective, &config, 3, None, &mut Silent);
        let first = trained.log.first().expect("one epoch at least");
        assert!(!first.train_mape_percent.is_finite(), "the test needs a diverging first epoch: {first:?}");
        assert_eq!(trained.log.len(), 40, "divergence does not end training");
        assert_eq!(trained.log[1].learning_rate, 500.0, "the second epoch runs at half the rate");
        assert_eq!(trained.log[1].restart, 0, "a blow-up does not use up a restart");
        assert!(trained.validation_mape_percent.is_finite(), "the best weights stay finite");
    }

    #[test]
    fn normalised_outputs_start_at_the_mean_term() {
        // Two rows, two signed terms: label, coefficients c₁ c₂, term targets.
        let targets = ndarray::arr2(&[[3.0, 1.0, 2.0, 4.0, 0.5], [8.0, 2.0, 2.0, 1.0, 2.0]]);
        let map = OutputMap::Exp { scale: 0.5, offset: -1.0 };
        let objective = Objective::structured(map, Loss::SquaredRelative, Structure::SignedTerms { signs: vec![1.0, -1.0] });
        let mut network = Mlp::lecun_normal(&[3, 4, 2], 1, &mut ChaCha8Rng::seed_from_u64(1));
        let start = |network: &Mlp| -> Vec<f64> { network.biases[1].iter().map(|&b| map.value(f64::from(b))).collect() };

        // Without term targets both terms start at the geometric mean of
        // t/Σ|c| over the rows: √(1 · 2).
        start_structured_outputs(&mut network, targets.view(), &objective, true);
        for value in start(&network) {
            assert!((value - 2f64.sqrt()).abs() < 1e-6, "{value}");
        }
        // With term targets each starts at the geometric mean of its own.
        let with_terms = objective.clone().with_term_targets().expect("signed terms");
        start_structured_outputs(&mut network, targets.view(), &with_terms, true);
        let values = start(&network);
        assert!((values[0] - 2.0).abs() < 1e-6, "{values:?}");
        assert!((values[1] - 1.0).abs() < 1e-6, "{values:?}");
        // The map fitted on ln t keeps its start: Σ|c| f(y) = f(0) on average.
        start_structured_outputs(&mut network, targets.view(), &objective, false);
        assert!((network.biases[1][0] - (-3.5f64.ln() / 0.5) as f32).abs() < 1e-6, "{:?}", network.biases[1]);
    }

    #[test]
    fn split_is_deterministic_and_disjoint() {
        let (training, validation) = split_indices(10, 0.2, 5);
        assert_eq!(validation.len(), 2);
        assert_eq!(training.len(), 8);
        assert!(validation.iter().all(|index| !training.contains(index)));
        assert_eq!(split_indices(10, 0.2, 5), (training, validation));
    }
}
