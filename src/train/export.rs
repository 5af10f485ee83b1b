//! Writing trained networks in the format the inference core loads: one
//! safetensors file per network (`layer{i}.kernel` [inputs, outputs] and
//! `layer{i}.bias`, f32) and a manifest.json assembled from per-stage
//! descriptions.

use std::collections::BTreeMap;
use std::path::Path;

use safetensors::tensor::TensorView;
use safetensors::Dtype;
use serde::{Deserialize, Serialize};

use super::mlp::Mlp;
use super::TrainError;
use crate::manifest::{Manifest, Members, OutputMap as ManifestOutput, ProcessSpec, SignConvention, StageSpec};
use crate::pair::Pair;

/// File-name suffix of a stage description.
pub const STAGE_SUFFIX: &str = ".stage.json";

/// Serialises a network to safetensors bytes.
pub fn network_bytes(network: &Mlp) -> Result<Vec<u8>, TrainError> {
    let mut buffers: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (index, (kernel, bias)) in network.kernels.iter().zip(&network.biases).enumerate() {
        // `iter` walks in logical row-major order whatever the memory layout.
        let kernel_bytes: Vec<u8> = kernel.iter().flat_map(|value| value.to_le_bytes()).collect();
        let bias_bytes: Vec<u8> = bias.iter().flat_map(|value| value.to_le_bytes()).collect();
        buffers.push((format!("layer{index}.kernel"), kernel.shape().to_vec(), kernel_bytes));
        buffers.push((format!("layer{index}.bias"), bias.shape().to_vec(), bias_bytes));
    }
    let views = buffers
        .iter()
        .map(|(name, shape, bytes)| {
            TensorView::new(Dtype::F32, shape.clone(), bytes).map(|view| (name.clone(), view)).map_err(|error| TrainError::Invalid(error.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    safetensors::serialize(views, &None).map_err(|error| TrainError::Invalid(format!("safetensors serialisation failed: {error}")))
}

/// Writes `directory/<name>.safetensors`.
pub fn write_network(directory: &Path, name: &str, network: &Mlp) -> Result<(), TrainError> {
    let path = directory.join(format!("{name}.safetensors"));
    std::fs::write(&path, network_bytes(network)?).map_err(|error| TrainError::io(path, error))
}

/// Everything the manifest needs about one trained stage, plus provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageDescription {
    pub pair: Pair,
    /// `lo` or `k`.
    pub stage: String,
    pub spec: StageSpec,
    /// Source of the labels.
    pub label_source: String,
    pub training_rows: usize,
    pub validation_rows: usize,
    /// Seeds of the members, in the order of the member names.
    pub seeds: Vec<u64>,
    /// Validation MAPE of each member and of the ensemble mean, in percent.
    pub member_validation_mape_percent: Vec<f64>,
    pub ensemble_validation_mape_percent: f64,
    pub ensemble_validation_max_percent: f64,
    pub training_seconds: f64,
}

impl StageDescription {
    /// Builds the manifest stage of an ensemble.
    pub fn spec(members: Vec<String>, selu_layers: usize, features: Vec<String>, mean: Vec<f64>, std: Vec<f64>, output: String) -> StageSpec {
        StageSpec {
            network: Some(if members.len() == 1 { Members::One(members[0].clone()) } else { Members::Ensemble(members) }),
            networks: None,
            selu_layers,
            features,
            mean,
            std,
            output: ManifestOutput::One(output),
            stacking: None,
        }
    }

    /// Writes `directory/<pair>_<stage>.stage.json`.
    pub fn write(&self, directory: &Path) -> Result<(), TrainError> {
        let path = directory.join(format!("{}_{}{STAGE_SUFFIX}", self.pair.id(), self.stage));
        let text = serde_json::to_string_pretty(self).map_err(|error| TrainError::Invalid(error.to_string()))?;
        std::fs::write(&path, text + "\n").map_err(|error| TrainError::io(path, error))
    }
}

/// Reads every stage description in `directory` and writes manifest.json
/// for the pairs that have both an LO and a K stage; returns those pairs.
/// The manifest declares the canonical sign convention, which the
/// training applied to every record.
pub fn write_manifest(directory: &Path, description: &str) -> Result<Vec<Pair>, TrainError> {
    let entries = std::fs::read_dir(directory).map_err(|error| TrainError::io(directory, error))?;
    let mut stages: BTreeMap<(Pair, String), StageSpec> = BTreeMap::new();
    for entry in entries {
        let path = entry.map_err(|error| TrainError::io(directory, error))?.path();
        if !path.to_string_lossy().ends_with(STAGE_SUFFIX) {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|error| TrainError::io(&path, error))?;
        let stage: StageDescription = serde_json::from_str(&text)
            .map_err(|error| TrainError::Data { path: path.clone(), line: error.line(), detail: error.to_string() })?;
        stages.insert((stage.pair, stage.stage.clone()), stage.spec);
    }
    let mut processes = BTreeMap::new();
    for pair in crate::pair::PAIRS {
        if let (Some(lo), Some(k)) = (stages.get(&(pair, "lo".into())), stages.get(&(pair, "k".into()))) {
            processes.insert(pair.id().to_string(), ProcessSpec { final_state_pdg: pair.pdg(), lo: lo.clone(), k: k.clone() });
        }
    }
    let pairs: Vec<Pair> = crate::pair::PAIRS.into_iter().filter(|pair| processes.contains_key(pair.id())).collect();
    if pairs.is_empty() {
        return Ok(pairs);
    }
    let manifest = Manifest { description: description.to_string(), sign_convention: SignConvention::Canonical, processes };
    let path = directory.join("manifest.json");
    let text = serde_json::to_string_pretty(&manifest).map_err(|error| TrainError::Invalid(error.to_string()))?;
    std::fs::write(&path, text + "\n").map_err(|error| TrainError::io(path, error))?;
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Network;
    use rand::SeedableRng;

    #[test]
    fn written_bytes_load_as_same_network() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mlp = Mlp::lecun_normal(&[4, 3, 1], 1, &mut rng);
        let bytes = network_bytes(&mlp).expect("serialises");
        let loaded = Network::from_safetensors("n", &bytes, 1).expect("loads");
        assert_eq!(loaded, mlp.to_network("n"));
    }
}
