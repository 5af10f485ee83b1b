//! Writing trained networks in the format the inference core loads: one
//! safetensors file per network (`layer{i}.kernel` [inputs, outputs] and
//! `layer{i}.bias`, f32) and a manifest.json assembled from per-stage
//! descriptions.

use std::collections::{BTreeMap, BTreeSet};
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
    /// The ensemble figures are those of the members trained together in
    /// the first run. A member added later ([`add_members`]) brings its own
    /// figure, measured on the validation rows of its run.
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

/// Adds the ensemble members of every stage described in `other` to the
/// same stage in `directory` and copies their networks. The stages must
/// agree on features, z-score constants, output map and SELU layers, which
/// `--constants-from` ensures. No member name may occur twice. Returns
/// the stages that grew, as `<pair>_<stage>` with their new member count.
pub fn add_members(directory: &Path, other: &Path) -> Result<Vec<(String, usize)>, TrainError> {
    let entries = std::fs::read_dir(other).map_err(|error| TrainError::io(other, error))?;
    let mut grown = Vec::new();
    for entry in entries {
        let path = entry.map_err(|error| TrainError::io(other, error))?.path();
        if !path.to_string_lossy().ends_with(STAGE_SUFFIX) {
            continue;
        }
        let added = read_description(&path)?;
        let target_path = directory.join(format!("{}_{}{STAGE_SUFFIX}", added.pair.id(), added.stage));
        let mut target = read_description(&target_path)?;
        let mismatch = |what: &str| {
            TrainError::Invalid(format!(
                "{} and {}: the stages differ in their {what}; new members need --constants-from",
                target_path.display(),
                path.display()
            ))
        };
        let (mine, theirs) = (&target.spec, &added.spec);
        if mine.features != theirs.features || mine.mean != theirs.mean || mine.std != theirs.std {
            return Err(mismatch("features or z-score constants"));
        }
        if mine.output != theirs.output {
            return Err(mismatch("output map"));
        }
        if mine.selu_layers != theirs.selu_layers {
            return Err(mismatch("number of SELU layers"));
        }
        let (Some(mine), Some(theirs)) = (&mine.network, &theirs.network) else {
            return Err(mismatch("kind of networks (stacked stages cannot grow)"));
        };
        let mut names = mine.names();
        for name in theirs.names() {
            if names.contains(&name) {
                return Err(TrainError::Invalid(format!(
                    "{}: member {name} is already in {}; train new members with --first-member",
                    path.display(),
                    target_path.display()
                )));
            }
            let (from, to) = (other.join(format!("{name}.safetensors")), directory.join(format!("{name}.safetensors")));
            std::fs::copy(&from, &to).map_err(|error| TrainError::io(&from, error))?;
            names.push(name);
        }
        target.spec.network = Some(Members::Ensemble(names.clone()));
        target.seeds.extend(&added.seeds);
        target.member_validation_mape_percent.extend(&added.member_validation_mape_percent);
        target.training_seconds += added.training_seconds;
        if target.label_source != added.label_source {
            target.label_source = format!("{}; added members: {}", target.label_source, added.label_source);
        }
        target.write(directory)?;
        grown.push((format!("{}_{}", added.pair.id(), added.stage), names.len()));
    }
    Ok(grown)
}

/// Removes the named ensemble members (`<pair>_<stage>_<index>`, as in
/// the stage descriptions) from their stages in `directory`, with their
/// seeds, validation figures and network files. This keeps a subset of
/// the trained members, for example when members trained later on more
/// data replace the first ones. A stage keeps at least one member, and an
/// unknown name is an error. Returns the stages that shrank, as
/// `<pair>_<stage>` with their new member count.
pub fn drop_members(directory: &Path, names: &[String]) -> Result<Vec<(String, usize)>, TrainError> {
    // A set per stage, so that a name given twice is dropped once.
    let mut by_stage: BTreeMap<String, BTreeSet<&String>> = BTreeMap::new();
    for name in names {
        let stage = name.rsplit_once('_').map(|(stage, _)| stage).filter(|stage| stage.ends_with("_lo") || stage.ends_with("_k"));
        let Some(stage) = stage else {
            return Err(TrainError::Invalid(format!("{name}: invalid member name, expected <pair>_<stage>_<index> such as c1c1_lo_0")));
        };
        by_stage.entry(stage.to_string()).or_default().insert(name);
    }
    let mut shrunk = Vec::new();
    for (stage, dropped) in by_stage {
        let path = directory.join(format!("{stage}{STAGE_SUFFIX}"));
        let mut description = read_description(&path)?;
        let Some(Members::Ensemble(members)) = &description.spec.network else {
            return Err(TrainError::Invalid(format!("{}: the stage is not an ensemble of several members", path.display())));
        };
        let members = members.clone();
        if let Some(unknown) = dropped.iter().find(|name| !members.contains(name)) {
            return Err(TrainError::Invalid(format!("{}: the stage has no member {unknown} (members: {})", path.display(), members.join(", "))));
        }
        let keep: Vec<usize> = (0..members.len()).filter(|&index| !dropped.contains(&&members[index])).collect();
        if keep.is_empty() {
            return Err(TrainError::Invalid(format!("{}: dropping every member would leave the stage empty", path.display())));
        }
        // The seed and figure lists follow the member order. Older stage
        // files may lack entries, which stay missing.
        description.seeds = pick_entries(&description.seeds, &keep);
        description.member_validation_mape_percent = pick_entries(&description.member_validation_mape_percent, &keep);
        let kept: Vec<String> = keep.iter().map(|&index| members[index].clone()).collect();
        description.spec.network = Some(if kept.len() == 1 { Members::One(kept[0].clone()) } else { Members::Ensemble(kept.clone()) });
        description.write(directory)?;
        for name in dropped {
            let file = directory.join(format!("{name}.safetensors"));
            std::fs::remove_file(&file).map_err(|error| TrainError::io(&file, error))?;
        }
        shrunk.push((stage, kept.len()));
    }
    Ok(shrunk)
}

/// Returns the entries of `values` at the positions `keep`, skipping
/// positions beyond its end.
fn pick_entries<T: Copy>(values: &[T], keep: &[usize]) -> Vec<T> {
    keep.iter().filter_map(|&index| values.get(index).copied()).collect()
}

/// Reads a stage description written by [`StageDescription::write`].
pub(crate) fn read_description(path: &Path) -> Result<StageDescription, TrainError> {
    let text = std::fs::read_to_string(path).map_err(|error| TrainError::io(path, error))?;
    serde_json::from_str(&text).map_err(|error| TrainError::Data { path: path.to_path_buf(), line: error.line(), detail: error.to_string() })
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
        let stage = read_description(&path)?;
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
