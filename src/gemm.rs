//! The dense-layer product y = b + x·W in f32, computed so that every
//! platform gives the same bits.
//!
//! Each output is accumulated in one fixed order, bias first and then k = 0,
//! 1, … with a separate multiply and add (Rust never fuses them into an FMA).
//! Vector lanes run across outputs, never across k, so the SSE2, AVX2 and
//! wasm simd128 builds round exactly alike. A general matrix-multiply library
//! picks its summation order and FMA use from the CPU at run time, so a
//! browser and a native build of the same network differed by up to 4e-6
//! relative.

/// Computes `out = bias + inputs · kernel` for row-major `inputs`
/// (rows × `inputs_per_row`), `kernel` (`inputs_per_row` × `bias.len()`)
/// and `out` (rows × `bias.len()`).
///
/// # Panics
/// Panics if the slice lengths do not match these shapes; callers build
/// them from validated network layers.
pub fn dense_product(inputs: &[f32], inputs_per_row: usize, kernel: &[f32], bias: &[f32], out: &mut [f32]) {
    let outputs = bias.len();
    assert_eq!(kernel.len(), inputs_per_row * outputs, "kernel shape");
    let rows = if inputs_per_row == 0 { out.len() / outputs.max(1) } else { inputs.len() / inputs_per_row };
    assert_eq!(inputs.len(), rows * inputs_per_row, "input shape");
    assert_eq!(out.len(), rows * outputs, "output shape");
    let shape = Shape { inputs: inputs_per_row, outputs };

    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 was detected on this CPU just above.
        unsafe { product_avx2(inputs, kernel, bias, out, shape) };
        return;
    }
    product_baseline(inputs, kernel, bias, out, shape);
}

#[derive(Clone, Copy)]
struct Shape {
    inputs: usize,
    outputs: usize,
}

/// Computes the product with AVX2, where 4 rows × 16 outputs fill eight
/// 256-bit accumulators.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn product_avx2(inputs: &[f32], kernel: &[f32], bias: &[f32], out: &mut [f32], shape: Shape) {
    product::<4, 16>(inputs, kernel, bias, out, shape);
}

/// Computes the product with 128-bit vectors (SSE2, wasm simd128), where
/// 4 rows × 8 outputs fill eight accumulators.
fn product_baseline(inputs: &[f32], kernel: &[f32], bias: &[f32], out: &mut [f32], shape: Shape) {
    product::<4, 8>(inputs, kernel, bias, out, shape);
}

#[inline(always)]
fn product<const ROWS: usize, const WIDTH: usize>(
    inputs: &[f32],
    kernel: &[f32],
    bias: &[f32],
    out: &mut [f32],
    shape: Shape,
) {
    let rows = out.len() / shape.outputs.max(1);
    let mut row = 0;
    while row + ROWS <= rows {
        row_block::<ROWS, WIDTH>(inputs, kernel, bias, out, shape, row);
        row += ROWS;
    }
    while row < rows {
        row_block::<1, WIDTH>(inputs, kernel, bias, out, shape, row);
        row += 1;
    }
}

/// Computes `ROWS` rows starting at `first_row`, in column blocks of
/// `WIDTH`, then 4, then 1 for the remaining outputs. All block sizes
/// perform the same operations per output in the same order.
#[inline(always)]
fn row_block<const ROWS: usize, const WIDTH: usize>(
    inputs: &[f32],
    kernel: &[f32],
    bias: &[f32],
    out: &mut [f32],
    shape: Shape,
    first_row: usize,
) {
    let mut column = 0;
    while column + WIDTH <= shape.outputs {
        tile::<ROWS, WIDTH>(inputs, kernel, bias, out, shape, first_row, column);
        column += WIDTH;
    }
    while column + 4 <= shape.outputs {
        tile::<ROWS, 4>(inputs, kernel, bias, out, shape, first_row, column);
        column += 4;
    }
    while column < shape.outputs {
        tile::<ROWS, 1>(inputs, kernel, bias, out, shape, first_row, column);
        column += 1;
    }
}

#[inline(always)]
fn tile<const ROWS: usize, const WIDTH: usize>(
    inputs: &[f32],
    kernel: &[f32],
    bias: &[f32],
    out: &mut [f32],
    shape: Shape,
    first_row: usize,
    column: usize,
) {
    let mut accumulators = [[0.0f32; WIDTH]; ROWS];
    let bias: &[f32; WIDTH] = bias[column..column + WIDTH].try_into().expect("tile inside the bias");
    for accumulator in &mut accumulators {
        *accumulator = *bias;
    }
    let row_inputs: [&[f32]; ROWS] =
        std::array::from_fn(|r| &inputs[(first_row + r) * shape.inputs..(first_row + r + 1) * shape.inputs]);
    for k in 0..shape.inputs {
        let start = k * shape.outputs + column;
        let weights: &[f32; WIDTH] = kernel[start..start + WIDTH].try_into().expect("tile inside the kernel");
        for (accumulator, row_input) in accumulators.iter_mut().zip(&row_inputs) {
            let x = row_input[k];
            for (sum, weight) in accumulator.iter_mut().zip(weights) {
                *sum += x * weight;
            }
        }
    }
    for (r, accumulator) in accumulators.iter().enumerate() {
        let start = (first_row + r) * shape.outputs + column;
        out[start..start + WIDTH].copy_from_slice(accumulator);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Computes the product with a plain triple loop in the same order.
    fn reference(inputs: &[f32], inputs_per_row: usize, kernel: &[f32], bias: &[f32]) -> Vec<f32> {
        let outputs = bias.len();
        let rows = inputs.len() / inputs_per_row;
        let mut out = vec![0.0; rows * outputs];
        for row in 0..rows {
            for j in 0..outputs {
                let mut sum = bias[j];
                for k in 0..inputs_per_row {
                    sum += inputs[row * inputs_per_row + k] * kernel[k * outputs + j];
                }
                out[row * outputs + j] = sum;
            }
        }
        out
    }

    /// Returns deterministic values of both signs in [−1.5, 1.5].
    fn values(count: usize, seed: u32) -> Vec<f32> {
        let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..count)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state as f32 / u32::MAX as f32 - 0.5) * 3.0
            })
            .collect()
    }

    #[test]
    fn product_equals_sequential_sum() {
        // Shapes cover full tiles, 4-wide and single-column tails, and the
        // row remainder.
        for (rows, inputs_per_row, outputs) in [(1, 19, 100), (7, 100, 100), (9, 100, 1), (5, 32, 32), (6, 13, 21), (3, 3, 3)] {
            let inputs = values(rows * inputs_per_row, 1);
            let kernel = values(inputs_per_row * outputs, 2);
            let bias = values(outputs, 3);
            let mut out = vec![f32::NAN; rows * outputs];
            dense_product(&inputs, inputs_per_row, &kernel, &bias, &mut out);
            let expected = reference(&inputs, inputs_per_row, &kernel, &bias);
            for (index, (got, want)) in out.iter().zip(&expected).enumerate() {
                assert_eq!(got.to_bits(), want.to_bits(), "{rows}×{inputs_per_row}→{outputs}, element {index}");
            }
        }
    }

    #[test]
    fn baseline_equals_dispatched_path() {
        let (rows, inputs_per_row, outputs) = (11, 100, 100);
        let inputs = values(rows * inputs_per_row, 4);
        let kernel = values(inputs_per_row * outputs, 5);
        let bias = values(outputs, 6);
        let mut dispatched = vec![0.0; rows * outputs];
        let mut baseline = vec![0.0; rows * outputs];
        dense_product(&inputs, inputs_per_row, &kernel, &bias, &mut dispatched);
        product_baseline(&inputs, &kernel, &bias, &mut baseline, Shape { inputs: inputs_per_row, outputs });
        assert!(dispatched.iter().zip(&baseline).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}
