//! Dense feed-forward networks: SELU hidden layers and linear output layers,
//! evaluated in f32 on batches of rows.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use safetensors::{Dtype, SafeTensors};

use crate::error::WeightsError;
use crate::gemm::dense_product;

/// SELU α (Klambauer et al., "Self-Normalizing Neural Networks", NIPS 2017).
pub const SELU_ALPHA: f64 = 1.6732632423543772;
/// SELU λ (scale), same source.
pub const SELU_LAMBDA: f64 = 1.0507009873554805;

/// Activation after a dense layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Selu,
    Linear,
}

/// One dense layer, y = x·W + b.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    /// Weights, shape [inputs, outputs].
    pub kernel: Array2<f32>,
    /// Bias, shape [outputs].
    pub bias: Array1<f32>,
    pub activation: Activation,
}

/// A stack of dense layers with one output.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub name: String,
    pub layers: Vec<Dense>,
}

/// e^x for x ≤ 0 in f32, branch-free so that the compiler vectorises the
/// SELU loop; the scalar `f32::exp` call dominated the evaluation time.
/// Cody–Waite range reduction and the degree-6 minimax polynomial of the
/// Cephes library's `expf` (S. L. Moshier), accurate to about 1 ulp; inputs
/// below −87 are clamped, where e^x < 1.7e-38 no longer changes SELU.
#[inline(always)]
fn exp_non_positive(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    const LN2_HIGH: f32 = 0.693_359_4;
    const LN2_LOW: f32 = -2.121_944_4e-4;
    // Adding and subtracting 1.5·2²³ rounds to the nearest integer without
    // a call to `floorf`, which the baseline x86-64 target lacks as an
    // instruction and which would stop vectorisation.
    const ROUNDING: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 0.0);
    let n = (x * LOG2_E + ROUNDING) - ROUNDING;
    let r = x - n * LN2_HIGH - n * LN2_LOW;
    let r2 = r * r;
    let polynomial = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r
        + 1.666_666_5e-1)
        * r
        + 0.5;
    let mantissa = polynomial * r2 + r + 1.0;
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    mantissa * scale
}

#[inline(always)]
fn selu_slice(values: &mut [f32]) {
    let alpha = SELU_ALPHA as f32;
    let lambda = SELU_LAMBDA as f32;
    for x in values.iter_mut() {
        let negative = lambda * alpha * (exp_non_positive(*x) - 1.0);
        *x = if *x > 0.0 { lambda * *x } else { negative };
    }
}

/// The SELU loop compiled for AVX2 and FMA, twice as wide as the SSE2
/// baseline of x86-64 builds.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn selu_slice_avx2(values: &mut [f32]) {
    selu_slice(values);
}

/// SELU applied in place.
pub fn selu_in_place(values: &mut Array2<f32>) {
    let Some(slice) = values.as_slice_mut() else {
        let alpha = SELU_ALPHA as f32;
        let lambda = SELU_LAMBDA as f32;
        values.mapv_inplace(|x| if x > 0.0 { lambda * x } else { lambda * alpha * (exp_non_positive(x) - 1.0) });
        return;
    };
    selu_slice_dispatched(slice);
}

/// SELU on a slice, with the AVX2 loop where the CPU has it.
fn selu_slice_dispatched(slice: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: both features were detected on this CPU just above.
        unsafe { selu_slice_avx2(slice) };
        return;
    }
    selu_slice(slice);
}

impl Network {
    /// Loads a network from safetensors bytes with tensors `layer{i}.kernel`
    /// ([inputs, outputs], f32) and `layer{i}.bias` for i = 0, 1, …; the first
    /// `selu_layers` layers use SELU and the rest are linear.
    pub fn from_safetensors(name: &str, bytes: &[u8], selu_layers: usize) -> Result<Self, WeightsError> {
        let invalid = |detail: String| WeightsError::InvalidTensors { name: name.to_string(), detail };
        let shape_error = |detail: String| WeightsError::Shape { name: name.to_string(), detail };
        let tensors = SafeTensors::deserialize(bytes).map_err(|error| invalid(error.to_string()))?;

        let read = |tensor_name: &str| -> Result<(Vec<usize>, Vec<f32>), WeightsError> {
            let view = tensors.tensor(tensor_name).map_err(|error| invalid(format!("{tensor_name}: {error}")))?;
            if view.dtype() != Dtype::F32 {
                return Err(invalid(format!("{tensor_name} has dtype {:?}; expected F32", view.dtype())));
            }
            let values = view
                .data()
                .chunks_exact(4)
                .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
                .collect::<Vec<f32>>();
            if let Some(bad) = values.iter().find(|value| !value.is_finite()) {
                return Err(invalid(format!("{tensor_name} contains the non-finite value {bad}")));
            }
            Ok((view.shape().to_vec(), values))
        };

        let mut layers = Vec::new();
        let mut width: Option<usize> = None;
        while tensors.names().iter().any(|tensor| **tensor == format!("layer{}.kernel", layers.len())) {
            let index = layers.len();
            let (kernel_shape, kernel) = read(&format!("layer{index}.kernel"))?;
            let (bias_shape, bias) = read(&format!("layer{index}.bias"))?;
            let [inputs, outputs] = kernel_shape[..] else {
                return Err(shape_error(format!("layer{index}.kernel has shape {kernel_shape:?}; expected 2 dimensions")));
            };
            if bias_shape != [outputs] {
                return Err(shape_error(format!("layer{index}.bias has shape {bias_shape:?}; expected [{outputs}]")));
            }
            if let Some(previous) = width.filter(|&previous| previous != inputs) {
                return Err(shape_error(format!("layer{index} takes {inputs} inputs but the layer before gives {previous}")));
            }
            width = Some(outputs);
            let kernel = Array2::from_shape_vec((inputs, outputs), kernel).map_err(|error| shape_error(error.to_string()))?;
            let activation = if index < selu_layers { Activation::Selu } else { Activation::Linear };
            layers.push(Dense { kernel, bias: Array1::from_vec(bias), activation });
        }
        if layers.is_empty() {
            return Err(invalid("no tensor named layer0.kernel".into()));
        }
        if selu_layers >= layers.len() {
            return Err(shape_error(format!("{selu_layers} SELU layers declared but the network has only {} layers", layers.len())));
        }
        Ok(Network { name: name.to_string(), layers })
    }

    /// Number of inputs of the first layer.
    pub fn inputs(&self) -> usize {
        self.layers[0].kernel.nrows()
    }

    /// Number of outputs of the last layer.
    pub fn outputs(&self) -> usize {
        self.layers.last().map_or(0, |layer| layer.bias.len())
    }

    /// Evaluates the network on a batch with one row per point and returns
    /// one row of outputs per point. The result is bit-identical on every platform (see
    /// [`crate::gemm`]), so the browser build gives the native numbers.
    pub fn forward(&self, inputs: ArrayView2<'_, f32>) -> Array2<f32> {
        let rows = inputs.nrows();
        let mut values = inputs.as_standard_layout().into_owned().into_raw_vec_and_offset().0;
        let mut width = inputs.ncols();
        let mut next = Vec::new();
        for layer in &self.layers {
            let outputs = layer.bias.len();
            next.clear();
            next.resize(rows * outputs, 0.0);
            let kernel = layer.kernel.as_standard_layout();
            let bias = layer.bias.as_standard_layout();
            let (Some(kernel), Some(bias)) = (kernel.as_slice(), bias.as_slice()) else {
                unreachable!("arrays in standard layout are contiguous");
            };
            dense_product(&values, width, kernel, bias, &mut next);
            if layer.activation == Activation::Selu {
                selu_slice_dispatched(&mut next);
            }
            std::mem::swap(&mut values, &mut next);
            width = outputs;
        }
        Array2::from_shape_vec((rows, width), values).unwrap_or_else(|_| unreachable!("each layer writes rows × outputs values"))
    }

    /// Evaluates the network in f64 arithmetic (slow). Tests use it to tell
    /// how sensitive a point is to the rounding of the f32 evaluation.
    pub fn forward_f64(&self, inputs: ArrayView2<'_, f32>) -> Array2<f64> {
        let mut values = inputs.mapv(f64::from);
        for layer in &self.layers {
            let mut next = values.dot(&layer.kernel.mapv(f64::from));
            next += &layer.bias.mapv(f64::from).view().insert_axis(Axis(0));
            if layer.activation == Activation::Selu {
                next.mapv_inplace(|x| if x > 0.0 { SELU_LAMBDA * x } else { SELU_LAMBDA * SELU_ALPHA * (x.exp() - 1.0) });
            }
            values = next;
        }
        values
    }

    /// Raw little-endian bytes of every tensor, by tensor name; used to check
    /// that two network sets share no tensor.
    pub fn tensor_bytes(&self) -> Vec<(String, Vec<u8>)> {
        let mut tensors = Vec::new();
        for (index, layer) in self.layers.iter().enumerate() {
            let kernel: Vec<u8> = layer.kernel.iter().flat_map(|value| value.to_le_bytes()).collect();
            let bias: Vec<u8> = layer.bias.iter().flat_map(|value| value.to_le_bytes()).collect();
            tensors.push((format!("layer{index}.kernel"), kernel));
            tensors.push((format!("layer{index}.bias"), bias));
        }
        tensors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_exp_matches_std() {
        let mut worst = 0.0f64;
        for step in 0..=100_000 {
            let x = -90.0 * step as f32 / 100_000.0;
            let exact = f64::from(x).exp();
            let fast = f64::from(exp_non_positive(x));
            if x > -87.0 {
                worst = worst.max((fast / exact - 1.0).abs());
            } else {
                assert!(fast < 1.7e-38);
            }
        }
        assert!(worst < 3e-7, "relative error {worst}");
    }
}
