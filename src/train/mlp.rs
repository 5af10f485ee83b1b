//! A dense SELU network with a hand-written batched forward and backward
//! pass in f32.
//!
//! The layout matches [`crate::network::Network`]: y = x·W + b with W of
//! shape [inputs, outputs], SELU after the first `selu_layers` layers and
//! linear layers after them. It has one output, or several for a
//! structured objective.

use ndarray::{concatenate, s, Array1, Array2, ArrayView2, Axis};
use rand::Rng;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;

use super::objective::Objective;
use crate::network::{Activation, Dense, Network, SELU_ALPHA, SELU_LAMBDA};

/// Network parameters under training.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    /// Kernels, shape [inputs, outputs] each.
    pub kernels: Vec<Array2<f32>>,
    pub biases: Vec<Array1<f32>>,
    /// Number of leading layers followed by SELU.
    pub selu_layers: usize,
}

/// Gradients of the loss with respect to every parameter of an [`Mlp`].
#[derive(Debug, Clone)]
pub struct Gradients {
    pub kernels: Vec<Array2<f32>>,
    pub biases: Vec<Array1<f32>>,
}

impl Gradients {
    fn add(mut self, other: Gradients) -> Gradients {
        for (mine, theirs) in self.kernels.iter_mut().zip(&other.kernels) {
            *mine += theirs;
        }
        for (mine, theirs) in self.biases.iter_mut().zip(&other.biases) {
            *mine += theirs;
        }
        self
    }
}

fn selu(x: f32) -> f32 {
    let (alpha, lambda) = (SELU_ALPHA as f32, SELU_LAMBDA as f32);
    if x > 0.0 {
        lambda * x
    } else {
        lambda * alpha * (x.exp() - 1.0)
    }
}

/// dSELU/dx expressed through the output a = SELU(x): λ for x > 0, else
/// λα·eˣ = a + λα. Using the output saves storing the pre-activations.
fn selu_derivative_from_output(a: f32) -> f32 {
    let (alpha, lambda) = (SELU_ALPHA as f32, SELU_LAMBDA as f32);
    if a > 0.0 {
        lambda
    } else {
        a + lambda * alpha
    }
}

impl Mlp {
    /// Creates a network with layer widths `widths` = [inputs, hidden…, outputs],
    /// kernels drawn from the LeCun normal distribution N(0, 1/fan_in) that
    /// SELU's self-normalisation assumes, and zero biases. The output layer
    /// is drawn 10 times narrower, so that the first outputs sit near y = 0,
    /// where the fitted output map gives the typical label, instead of
    /// starting at errors of hundreds of percent on the exponential scale.
    pub fn lecun_normal(widths: &[usize], selu_layers: usize, rng: &mut impl Rng) -> Self {
        let mut kernels = Vec::new();
        let mut biases = Vec::new();
        let layers = widths.len().saturating_sub(1);
        for (layer, pair) in widths.windows(2).enumerate() {
            let (inputs, outputs) = (pair[0], pair[1]);
            let narrowing = if layer + 1 == layers { 0.1 } else { 1.0 };
            let deviation = narrowing * (1.0 / inputs as f32).sqrt();
            let normal = Normal::new(0.0f32, deviation).expect("a positive width gives a valid deviation");
            kernels.push(Array2::from_shape_simple_fn((inputs, outputs), || normal.sample(rng)));
            biases.push(Array1::zeros(outputs));
        }
        Mlp { kernels, biases, selu_layers }
    }

    /// Number of inputs.
    pub fn inputs(&self) -> usize {
        self.kernels[0].nrows()
    }

    /// Number of trainable parameters.
    pub fn parameter_count(&self) -> usize {
        self.kernels.iter().map(|k| k.len()).sum::<usize>() + self.biases.iter().map(|b| b.len()).sum::<usize>()
    }

    /// Activations of every layer, the input first and the output last.
    fn activations(&self, inputs: ArrayView2<'_, f32>) -> Vec<Array2<f32>> {
        let mut activations = vec![inputs.to_owned()];
        for (layer, (kernel, bias)) in self.kernels.iter().zip(&self.biases).enumerate() {
            let mut next = activations[layer].dot(kernel);
            next += &bias.view().insert_axis(Axis(0));
            if layer < self.selu_layers {
                next.mapv_inplace(selu);
            }
            activations.push(next);
        }
        activations
    }

    /// Outputs for a batch, one row of outputs per input row.
    pub fn forward(&self, inputs: ArrayView2<'_, f32>) -> Array2<f32> {
        self.activations(inputs).pop().unwrap_or_default()
    }

    /// Outputs for a batch, split over the rayon threads.
    pub fn forward_parallel(&self, inputs: ArrayView2<'_, f32>) -> Array2<f32> {
        const CHUNK_ROWS: usize = 1024;
        let parts: Vec<Array2<f32>> =
            inputs.axis_chunks_iter(Axis(0), CHUNK_ROWS).collect::<Vec<_>>().into_par_iter().map(|chunk| self.forward(chunk)).collect();
        let views: Vec<ArrayView2<'_, f32>> = parts.iter().map(|part| part.view()).collect();
        concatenate(Axis(0), &views).unwrap_or_else(|_| Array2::zeros((0, self.biases.last().map_or(1, |b| b.len()))))
    }

    /// Sum of the per-row loss and its gradients (of the sum, not the mean)
    /// for one chunk of rows. `targets` has one row per input row.
    fn chunk_gradients(&self, inputs: ArrayView2<'_, f32>, targets: ArrayView2<'_, f64>, objective: &Objective) -> (f64, Gradients) {
        let activations = self.activations(inputs);
        let outputs = activations.last().expect("at least the input");
        let rows = inputs.nrows();
        let width = outputs.ncols();
        let mut loss = 0.0f64;
        let mut delta = Array2::<f32>::zeros((rows, width));
        let mut y = vec![0.0f64; width];
        let mut gradient = vec![0.0f64; width];
        for row in 0..rows {
            for (slot, &value) in y.iter_mut().zip(outputs.row(row)) {
                *slot = f64::from(value);
            }
            loss += objective.loss_and_gradient(&y, targets.row(row), &mut gradient);
            for (slot, &value) in delta.row_mut(row).iter_mut().zip(&gradient) {
                *slot = value as f32;
            }
        }

        let layers = self.kernels.len();
        let mut kernels = vec![Array2::zeros((0, 0)); layers];
        let mut biases = vec![Array1::zeros(0); layers];
        for layer in (0..layers).rev() {
            kernels[layer] = activations[layer].t().dot(&delta);
            biases[layer] = delta.sum_axis(Axis(0));
            if layer > 0 {
                let mut previous = delta.dot(&self.kernels[layer].t());
                if layer - 1 < self.selu_layers {
                    previous.zip_mut_with(&activations[layer], |d, &a| *d *= selu_derivative_from_output(a));
                }
                delta = previous;
            }
        }
        (loss, Gradients { kernels, biases })
    }

    /// Mean loss over the batch and the gradients of the mean loss. The
    /// batch is split into chunks of at least `min_chunk_rows` rows that run
    /// on the rayon threads; their gradient sums are added.
    pub fn batch_gradients(
        &self,
        inputs: ArrayView2<'_, f32>,
        targets: ArrayView2<'_, f64>,
        objective: &Objective,
        min_chunk_rows: usize,
    ) -> (f64, Gradients) {
        let rows = inputs.nrows();
        let threads = rayon::current_num_threads().max(1);
        let chunk = rows.div_ceil(threads).max(min_chunk_rows).max(1);
        let starts: Vec<usize> = (0..rows).step_by(chunk).collect();
        // Collected in order and summed sequentially, so the result does not
        // depend on how rayon schedules the chunks.
        let parts: Vec<(f64, Gradients)> = starts
            .into_par_iter()
            .map(|start| {
                let end = (start + chunk).min(rows);
                self.chunk_gradients(inputs.slice(s![start..end, ..]), targets.slice(s![start..end, ..]), objective)
            })
            .collect();
        let (loss, mut gradients) = parts
            .into_iter()
            .reduce(|(loss_a, grad_a), (loss_b, grad_b)| (loss_a + loss_b, grad_a.add(grad_b)))
            .expect("a batch has at least one row");
        let scale = 1.0 / rows as f32;
        gradients.kernels.iter_mut().for_each(|k| *k *= scale);
        gradients.biases.iter_mut().for_each(|b| *b *= scale);
        (loss / rows as f64, gradients)
    }

    /// Converts to the inference type, under the given network name.
    pub fn to_network(&self, name: &str) -> Network {
        let layers = self
            .kernels
            .iter()
            .zip(&self.biases)
            .enumerate()
            .map(|(layer, (kernel, bias))| Dense {
                kernel: kernel.clone(),
                bias: bias.clone(),
                activation: if layer < self.selu_layers { Activation::Selu } else { Activation::Linear },
            })
            .collect();
        Network { name: name.to_string(), layers }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::objective::{Loss, OutputMap, Structure};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Builds a small network with its inputs and targets, for a single
    /// output or a structured objective.
    fn small_problem(structure: Structure) -> (Mlp, Array2<f32>, Array2<f64>, Objective) {
        let map = OutputMap::Exp { scale: 0.8, offset: -0.2 };
        small_problem_with(Objective::structured(map, Loss::SquaredRelative, structure))
    }

    fn small_problem_with(objective: Objective) -> (Mlp, Array2<f32>, Array2<f64>, Objective) {
        let map = objective.map;
        let coefficients = objective.coefficients();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let network = Mlp::lecun_normal(&[3, 5, 4, objective.outputs()], 2, &mut rng);
        let inputs = Array2::from_shape_fn((6, 3), |(i, j)| ((i * 3 + j) as f32 * 0.37).sin());
        // Term targets (after the coefficients) of either sign, to check
        // that those below zero add nothing.
        let targets = Array2::from_shape_fn((6, objective.target_columns()), |(i, k)| match k {
            0 => 0.5 + 0.1 * i as f64,
            k if k <= coefficients => (0.3 * (i + 2 * k) as f64).cos(),
            k => 0.4 + (0.7 * (i + k) as f64).sin(),
        });
        let objective = if coefficients == 0 { Objective::new(map) } else { objective };
        (network, inputs, targets, objective)
    }

    fn assert_gradients_match_finite_differences(structure: Structure) {
        assert_objective_gradients_match(small_problem(structure));
    }

    fn assert_objective_gradients_match((network, inputs, targets, objective): (Mlp, Array2<f32>, Array2<f64>, Objective)) {
        let outputs = objective.outputs();
        let (_, gradients) = network.batch_gradients(inputs.view(), targets.view(), &objective, 2);
        let loss_at = |candidate: &Mlp| -> f64 {
            let outputs = candidate.forward(inputs.view());
            let mut gradient = vec![0.0; objective.outputs()];
            let rows = outputs.rows().into_iter().zip(targets.rows());
            rows.map(|(y, t)| objective.loss_and_gradient(&y.mapv(f64::from).to_vec(), t, &mut gradient)).sum::<f64>() / 6.0
        };
        // A small step: one hidden unit sits within 1e-3 of the SELU kink,
        // where a wider difference quotient straddles two slopes.
        let step = 1e-4f32;
        let mut checked = 0;
        for layer in 0..network.kernels.len() {
            for ((i, j), &analytic) in gradients.kernels[layer].indexed_iter() {
                let mut plus = network.clone();
                plus.kernels[layer][[i, j]] += step;
                let mut minus = network.clone();
                minus.kernels[layer][[i, j]] -= step;
                let numeric = (loss_at(&plus) - loss_at(&minus)) / (2.0 * f64::from(step));
                assert!((numeric - f64::from(analytic)).abs() < 2e-3 + 0.05 * numeric.abs(), "layer {layer} kernel[{i},{j}]: numeric {numeric}, analytic {analytic}");
                checked += 1;
            }
            for (i, &analytic) in gradients.biases[layer].indexed_iter() {
                let mut plus = network.clone();
                plus.biases[layer][i] += step;
                let mut minus = network.clone();
                minus.biases[layer][i] -= step;
                let numeric = (loss_at(&plus) - loss_at(&minus)) / (2.0 * f64::from(step));
                assert!((numeric - f64::from(analytic)).abs() < 2e-3 + 0.05 * numeric.abs(), "layer {layer} bias[{i}]: numeric {numeric}, analytic {analytic}");
            }
        }
        assert_eq!(checked, 3 * 5 + 5 * 4 + 4 * outputs);
    }

    #[test]
    fn gradients_match_finite_differences() {
        assert_gradients_match_finite_differences(Structure::Single);
    }

    #[test]
    fn structured_gradients_match_finite_differences() {
        assert_gradients_match_finite_differences(Structure::Linear { coefficients: 2 });
        assert_gradients_match_finite_differences(Structure::SignedTerms { signs: vec![1.0, -1.0, 1.0] });
    }

    #[test]
    fn term_target_gradients_match_finite_differences() {
        let map = OutputMap::Exp { scale: 0.8, offset: -0.2 };
        let structure = Structure::SignedTerms { signs: vec![1.0, -1.0, 1.0] };
        let objective = Objective::structured(map, Loss::SquaredRelative, structure).with_term_targets().expect("signed terms");
        let problem = small_problem_with(objective);
        let terms = problem.2.slice(ndarray::s![.., 4..]).to_owned();
        assert!(terms.iter().any(|&t| t < 0.0), "{terms:?}");
        assert!(terms.iter().any(|&t| t > 0.0), "{terms:?}");
        assert_objective_gradients_match(problem);
        assert_eq!(Objective::structured(map, Loss::SquaredRelative, Structure::Linear { coefficients: 2 }).with_term_targets(), None);
    }

    #[test]
    fn forward_matches_inference_network() {
        let (network, inputs, _, _) = small_problem(Structure::Linear { coefficients: 2 });
        let ours = network.forward(inputs.view());
        let theirs = network.to_network("test").forward(inputs.view());
        assert_eq!(ours.dim(), (6, 3));
        assert_eq!(ours.dim(), theirs.dim());
        for (a, b) in ours.iter().zip(&theirs) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
        let parallel = network.forward_parallel(inputs.view());
        assert_eq!(parallel, ours);
    }

    #[test]
    fn chunked_gradients_equal_single_chunk() {
        let (network, inputs, targets, objective) = small_problem(Structure::Single);
        let (loss_one, one) = network.batch_gradients(inputs.view(), targets.view(), &objective, 6);
        let (loss_many, many) = network.batch_gradients(inputs.view(), targets.view(), &objective, 1);
        assert!((loss_one - loss_many).abs() < 1e-12);
        for (a, b) in one.kernels.iter().zip(&many.kernels) {
            for (x, y) in a.iter().zip(b) {
                assert!((x - y).abs() < 1e-6);
            }
        }
    }
}
