//! The manifest and weights loader. Input layout: a 4-byte little-endian
//! length n, n bytes of manifest text, then the safetensors bytes returned
//! for every network name the manifest requests.
#![no_main]

use deepxs::pipeline::WeightSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Some((length, rest)) = bytes.split_first_chunk::<4>() else { return };
    let length = (u32::from_le_bytes(*length) as usize).min(rest.len());
    let (manifest, tensors) = rest.split_at(length);
    let manifest = String::from_utf8_lossy(manifest);
    let _ = WeightSet::load(&manifest, &mut |_name| Ok(tensors.to_vec()));
});
