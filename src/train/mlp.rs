//! A dense SELU network with a hand-written batched forward and backward
//! pass in f32.
//!
//! The layout matches [`crate::network::Network`]: y = x·W + b with W of
//! shape [inputs, outputs], SELU after the first `selu_layers` layers and
//! linear layers after them, one output.

use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, Axis};
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
    /// Creates a network with layer widths `widths` = [inputs, hidden…, 1],
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

    /// Outputs for a batch, one per row.
    pub fn forward(&self, inputs: ArrayView2<'_, f32>) -> Array1<f32> {
        self.activations(inputs).pop().map(|output| output.column(0).to_owned()).unwrap_or_default()
    }

    /// Outputs for a batch, split over the rayon threads.
    pub fn forward_parallel(&self, inputs: ArrayView2<'_, f32>) -> Array1<f32> {
        const CHUNK_ROWS: usize = 1024;
        let parts: Vec<Array1<f32>> =
            inputs.axis_chunks_iter(Axis(0), CHUNK_ROWS).collect::<Vec<_>>().into_par_iter().map(|chunk| self.forward(chunk)).collect();
        let flat: Vec<f32> = parts.into_iter().flat_map(|part| part.into_iter()).collect();
        Array1::from_vec(flat)
    }

    /// Sum of the per-row loss and its gradients (of the sum, not the mean)
    /// for one chunk of rows.
    fn chunk_gradients(&self, inputs: ArrayView2<'_, f32>, targets: ArrayView1<'_, f64>, objective: &Objective) -> (f64, Gradients) {
        let activations = self.activations(inputs);
        let outputs = activations.last().expect("at least the input");
        let rows = inputs.nrows();
        let mut loss = 0.0f64;
        let mut delta = Array2::<f32>::zeros((rows, 1));
        for row in 0..rows {
            let (value, derivative) = objective.loss_and_derivative(f64::from(outputs[[row, 0]]), targets[row]);
            loss += value;
            delta[[row, 0]] = derivative as f32;
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
        targets: ArrayView1<'_, f64>,
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
                self.chunk_gradients(inputs.slice(s![start..end, ..]), targets.slice(s![start..end]), objective)
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
    use crate::train::objective::OutputMap;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn small_problem() -> (Mlp, Array2<f32>, Array1<f64>, Objective) {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let network = Mlp::lecun_normal(&[3, 5, 4, 1], 2, &mut rng);
        let inputs = Array2::from_shape_fn((6, 3), |(i, j)| ((i * 3 + j) as f32 * 0.37).sin());
        let targets = Array1::from_iter((0..6).map(|i| 0.5 + 0.1 * i as f64));
        (network, inputs, targets, Objective::new(OutputMap::Exp { scale: 0.8, offset: -0.2 }))
    }

    #[test]
    fn gradients_match_finite_differences() {
        let (network, inputs, targets, objective) = small_problem();
        let (_, gradients) = network.batch_gradients(inputs.view(), targets.view(), &objective, 2);
        let loss_at = |candidate: &Mlp| -> f64 {
            let outputs = candidate.forward(inputs.view());
            outputs.iter().zip(&targets).map(|(&y, &t)| objective.loss_and_derivative(f64::from(y), t).0).sum::<f64>() / 6.0
        };
        let step = 1e-3f32;
        let mut checked = 0;
        for layer in 0..network.kernels.len() {
            for ((i, j), &analytic) in gradients.kernels[layer].indexed_iter() {
                let mut plus = network.clone();
                plus.kernels[layer][[i, j]] += step;
                let mut minus = network.clone();
                minus.kernels[layer][[i, j]] -= step;
                let numeric = (loss_at(&plus) - loss_at(&minus)) / (2.0 * f64::from(step));
                assert!((numeric - f64::from(analytic)).abs() < 2e-3, "layer {layer} kernel[{i},{j}]: numeric {numeric}, analytic {analytic}");
                checked += 1;
            }
            for (i, &analytic) in gradients.biases[layer].indexed_iter() {
                let mut plus = network.clone();
                plus.biases[layer][i] += step;
                let mut minus = network.clone();
                minus.biases[layer][i] -= step;
                let numeric = (loss_at(&plus) - loss_at(&minus)) / (2.0 * f64::from(step));
                assert!((numeric - f64::from(analytic)).abs() < 2e-3, "layer {layer} bias[{i}]: numeric {numeric}, analytic {analytic}");
            }
        }
        assert_eq!(checked, 3 * 5 + 5 * 4 + 4);
    }

    #[test]
    fn forward_matches_inference_network() {
        let (network, inputs, _, _) = small_problem();
        let ours = network.forward(inputs.view());
        let theirs = network.to_network("test").forward(inputs.view());
        for (a, b) in ours.iter().zip(&theirs) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
    }

    #[test]
    fn chunked_gradients_equal_single_chunk() {
        let (network, inputs, targets, objective) = small_problem();
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
