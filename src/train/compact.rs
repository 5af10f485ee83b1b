//! Rounding of trained weights to fewer mantissa bits before they ship.
//!
//! Rounding to 14 of f32's 23 mantissa bits changes each weight by at most
//! 2⁻¹⁵ ≈ 3e-5 relative, far below the networks' own error. The low mantissa
//! bits are random and do not compress, so without them the embedded set
//! takes about a third less space in the gzipped wasm file. The rounded
//! values are ordinary f32 tensors, so the file format stays the same.

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

use super::TrainError;

/// Rounds an f32 to the nearest value with `bits` mantissa bits (ties to
/// even). A value that would round up to infinity is truncated instead.
pub fn round_mantissa(value: f32, bits: u32) -> f32 {
    if bits >= 23 || !value.is_finite() {
        return value;
    }
    let drop = 23 - bits;
    let raw = value.to_bits();
    let mask = (1u32 << drop) - 1;
    let lowest_kept = (raw >> drop) & 1;
    let rounded = f32::from_bits((raw + (mask >> 1) + lowest_kept) & !mask);
    if rounded.is_finite() {
        rounded
    } else {
        f32::from_bits(raw & !mask)
    }
}

/// Returns a safetensors file with every F32 tensor rounded to `bits`
/// mantissa bits; other tensors and the metadata are kept.
pub fn round_safetensors(bytes: &[u8], bits: u32, name: &str) -> Result<Vec<u8>, TrainError> {
    let invalid = |detail: String| TrainError::Invalid(format!("{name}: {detail}"));
    let tensors = SafeTensors::deserialize(bytes).map_err(|error| invalid(error.to_string()))?;
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|error| invalid(error.to_string()))?;
    let mut data: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = Vec::new();
    for (tensor_name, view) in tensors.tensors() {
        let mut values = view.data().to_vec();
        if view.dtype() == Dtype::F32 {
            for chunk in values.chunks_exact_mut(4) {
                let value = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                chunk.copy_from_slice(&round_mantissa(value, bits).to_le_bytes());
            }
        }
        data.push((tensor_name, view.dtype(), view.shape().to_vec(), values));
    }
    let views = data
        .iter()
        .map(|(tensor_name, dtype, shape, values)| {
            TensorView::new(*dtype, shape.clone(), values).map(|view| (tensor_name.clone(), view)).map_err(|error| invalid(error.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let info: Option<HashMap<String, String>> = metadata.metadata().clone();
    safetensors::serialize(views, &info).map_err(|error| invalid(error.to_string()))
}

/// Rounds every `.safetensors` file in `directory` in place; returns how
/// many files it rewrote.
pub fn round_directory(directory: &Path, bits: u32) -> Result<usize, TrainError> {
    let entries = std::fs::read_dir(directory).map_err(|error| TrainError::io(directory, error))?;
    let mut count = 0;
    for entry in entries {
        let path = entry.map_err(|error| TrainError::io(directory, error))?.path();
        if path.extension().is_none_or(|extension| extension != "safetensors") {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|error| TrainError::io(&path, error))?;
        let rounded = round_safetensors(&bytes, bits, &path.display().to_string())?;
        std::fs::write(&path, rounded).map_err(|error| TrainError::io(&path, error))?;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_error_within_half_unit() {
        for index in 1..10_000u32 {
            let value = (index as f32 * 0.7131).sin() * 10f32.powi(index as i32 % 7 - 3);
            let rounded = round_mantissa(value, 14);
            let bound = value.abs() * 2f32.powi(-15);
            assert!((rounded - value).abs() <= bound, "{value} → {rounded}");
            assert_eq!(rounded.to_bits() & ((1 << 9) - 1), 0, "{value} keeps low bits");
        }
    }

    #[test]
    fn rounding_ties_to_even() {
        // 1 + 2⁻¹⁵ lies halfway between 1 and 1 + 2⁻¹⁴; the even neighbour is 1.
        assert_eq!(round_mantissa(1.0 + 2f32.powi(-15), 14), 1.0);
        // 1 + 3·2⁻¹⁵ lies halfway between 1 + 2⁻¹⁴ and 1 + 2⁻¹³; 1 + 2⁻¹³ is even.
        assert_eq!(round_mantissa(1.0 + 3.0 * 2f32.powi(-15), 14), 1.0 + 2f32.powi(-13));
        assert_eq!(round_mantissa(f32::MAX, 14), f32::from_bits(f32::MAX.to_bits() & !((1 << 9) - 1)));
    }

    #[test]
    fn safetensors_round_trip_keeps_names_and_shapes() {
        let values: Vec<u8> = [0.1f32, -2.5, 3.0e-7, 1234.567].iter().flat_map(|value| value.to_le_bytes()).collect();
        let view = TensorView::new(Dtype::F32, vec![2, 2], &values).expect("valid view");
        let bytes = safetensors::serialize(vec![("layer0.kernel".to_string(), view)], &None).expect("serialises");
        let rounded = round_safetensors(&bytes, 14, "test").expect("rounds");
        let tensors = SafeTensors::deserialize(&rounded).expect("valid file");
        let tensor = tensors.tensor("layer0.kernel").expect("tensor kept");
        assert_eq!(tensor.shape(), [2, 2]);
        let first = f32::from_le_bytes(tensor.data()[..4].try_into().expect("4 bytes"));
        assert_eq!(first, round_mantissa(0.1, 14));
        assert!(round_safetensors(b"not a safetensors file", 14, "bad").is_err());
    }
}
