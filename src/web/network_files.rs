//! A network set as the files it was loaded from. The page keeps the files
//! so that it can send the same set to the batch worker.

use crate::pipeline::WeightSet;

/// Name of the file that lists a set's networks.
pub const MANIFEST: &str = "manifest.json";

/// Files of a network set: `manifest.json` and its `.safetensors` files, as
/// (file name, bytes).
pub type NetworkFiles = Vec<(String, Vec<u8>)>;

/// Loads a network set from its files. The error message names the missing
/// or invalid file.
pub fn load_network_files(files: &[(String, Vec<u8>)]) -> Result<WeightSet, String> {
    let Some((_, manifest)) = files.iter().find(|(name, _)| name == MANIFEST) else {
        return Err(format!("the chosen files contain no {MANIFEST}; choose it together with its .safetensors files"));
    };
    let manifest = String::from_utf8_lossy(manifest);
    WeightSet::load(&manifest, &mut |name| {
        let expected = format!("{name}.safetensors");
        files
            .iter()
            .find(|(file, _)| *file == expected)
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| format!("{expected} was not among the chosen files"))
    })
    .map_err(|error| format!("{MANIFEST}: {error}"))
}

/// Returns the files of the set embedded in this build, or nothing when the
/// build embeds no set.
pub fn embedded_network_files() -> NetworkFiles {
    crate::embedded::embedded_files().into_iter().map(|(name, bytes)| (name.to_string(), bytes)).collect()
}
