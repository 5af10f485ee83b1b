//! The Adam optimiser (Kingma and Ba, "Adam: A Method for Stochastic
//! Optimization", ICLR 2015) over the parameters of an [`Mlp`].

use ndarray::{Array1, Array2, Zip};

use super::mlp::{Gradients, Mlp};

/// Adam state: first and second moment estimates per parameter.
#[derive(Debug, Clone)]
pub struct Adam {
    pub learning_rate: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub epsilon: f32,
    step: i32,
    kernel_moments: Vec<(Array2<f32>, Array2<f32>)>,
    bias_moments: Vec<(Array1<f32>, Array1<f32>)>,
}

impl Adam {
    /// Creates an optimiser with the usual β1 = 0.9, β2 = 0.999, ε = 1e-7
    /// (the Keras defaults that DeepXS trained with) and zero moments.
    pub fn new(network: &Mlp, learning_rate: f32) -> Self {
        Adam {
            learning_rate,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-7,
            step: 0,
            kernel_moments: network.kernels.iter().map(|k| (Array2::zeros(k.raw_dim()), Array2::zeros(k.raw_dim()))).collect(),
            bias_moments: network.biases.iter().map(|b| (Array1::zeros(b.raw_dim()), Array1::zeros(b.raw_dim()))).collect(),
        }
    }

    /// Applies one update with the gradients of the mean loss.
    pub fn update(&mut self, network: &mut Mlp, gradients: &Gradients) {
        self.step += 1;
        let (beta1, beta2, epsilon) = (self.beta1, self.beta2, self.epsilon);
        // Bias corrections folded into the step size.
        let corrected = self.learning_rate * (1.0 - beta2.powi(self.step)).sqrt() / (1.0 - beta1.powi(self.step));
        let apply = |parameter: f32, gradient: f32, first: &mut f32, second: &mut f32| -> f32 {
            *first = beta1 * *first + (1.0 - beta1) * gradient;
            *second = beta2 * *second + (1.0 - beta2) * gradient * gradient;
            parameter - corrected * *first / (second.sqrt() + epsilon)
        };
        for (layer, (first, second)) in self.kernel_moments.iter_mut().enumerate() {
            Zip::from(&mut network.kernels[layer]).and(&gradients.kernels[layer]).and(first).and(second).for_each(
                |parameter, &gradient, first, second| *parameter = apply(*parameter, gradient, first, second),
            );
        }
        for (layer, (first, second)) in self.bias_moments.iter_mut().enumerate() {
            Zip::from(&mut network.biases[layer]).and(&gradients.biases[layer]).and(first).and(second).for_each(
                |parameter, &gradient, first, second| *parameter = apply(*parameter, gradient, first, second),
            );
        }
    }
}
