//! One stage of an existing network set (networks, z-score constants and
//! output map) as the starting point of a new training run.
//!
//! There are two uses. A warm start continues from trained weights, with
//! data weighted towards a region or at a lower learning rate. New members
//! trained from random weights can join the stage's ensemble, whose error
//! falls with the number of members because their errors are largely
//! independent. Either way the run must keep the set's features, z-score
//! constants and output map, or the networks would see other inputs or
//! give other values, so these come from the set instead of a new fit.

use std::path::Path;

use super::export::{read_description, STAGE_SUFFIX};
use super::features::StageKind;
use super::mlp::Mlp;
use super::objective::OutputMap;
use super::TrainError;
use crate::manifest::{Manifest, OutputMap as ManifestOutput};
use crate::network::{Activation, Network};
use crate::pair::Pair;

/// One stage of a network set, read as the start of a training run.
#[derive(Debug, Clone)]
pub struct InitialStage {
    /// Directory the stage was read from, for messages.
    pub source: String,
    pub features: Vec<String>,
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
    pub map: OutputMap,
    /// The manifest's output expression; a warm-started stage must write
    /// the same one.
    pub output: String,
    /// Ensemble members in manifest order; empty when only the constants
    /// were read.
    pub members: Vec<Mlp>,
}

/// Reads stage `stage` of `pair` from the set in `directory`. The stage
/// comes from the description `<pair>_<stage>.stage.json` that
/// `deepxs-train train` writes, else from manifest.json, which lacks a pair
/// until both its stages are trained. With `with_networks`, the members
/// are read from `<name>.safetensors`.
pub fn load_initial_stage(directory: &Path, pair: Pair, stage: StageKind, with_networks: bool) -> Result<InitialStage, TrainError> {
    let source = directory.display().to_string();
    let stage_path = directory.join(format!("{}_{}{STAGE_SUFFIX}", pair.id(), stage.id()));
    let manifest_path = directory.join("manifest.json");
    let (path, spec) = if stage_path.is_file() {
        let spec = read_description(&stage_path)?.spec;
        (stage_path, spec)
    } else {
        let text = std::fs::read_to_string(&manifest_path).map_err(|error| TrainError::io(&manifest_path, error))?;
        let manifest = Manifest::from_json(&text)?;
        let process = manifest.processes.get(pair.id()).ok_or_else(|| {
            TrainError::Invalid(format!("{}: the set has no {} stages and {} is missing", manifest_path.display(), pair.id(), stage_path.display()))
        })?;
        let spec = match stage {
            StageKind::Lo => process.lo.clone(),
            StageKind::K => process.k.clone(),
        };
        (manifest_path, spec)
    };
    let invalid = |detail: String| TrainError::Invalid(format!("{}: {} {}: {detail}", path.display(), pair.id(), stage.id()));
    let members = spec.network.as_ref().ok_or_else(|| invalid("stacked networks cannot be a warm start".into()))?;
    let ManifestOutput::One(output) = &spec.output else {
        return Err(invalid("stacked output maps cannot be a warm start".into()));
    };
    let map = parse_output_map(output).ok_or_else(|| invalid(format!("cannot read the output map '{output}'")))?;
    let mut networks = Vec::new();
    for name in members.names().into_iter().filter(|_| with_networks) {
        let path = directory.join(format!("{name}.safetensors"));
        let bytes = std::fs::read(&path).map_err(|error| TrainError::io(&path, error))?;
        networks.push(mlp_from_network(&Network::from_safetensors(&name, &bytes, spec.selu_layers)?));
    }
    Ok(InitialStage {
        source,
        features: spec.features.clone(),
        mean: spec.mean.clone(),
        std: spec.std.clone(),
        map,
        output: output.clone(),
        members: networks,
    })
}

/// Converts an inference network back into trainable parameters.
pub fn mlp_from_network(network: &Network) -> Mlp {
    Mlp {
        kernels: network.layers.iter().map(|layer| layer.kernel.clone()).collect(),
        biases: network.layers.iter().map(|layer| layer.bias.clone()).collect(),
        selu_layers: network.layers.iter().filter(|layer| layer.activation == Activation::Selu).count(),
    }
}

/// Reads the map of network output 0 back from a manifest expression
/// written by [`OutputMap::manifest_expression`] or by a structured stage:
/// `… exp(SCALE * y0 + (OFFSET)) …` or `K = SCALE * y + (OFFSET)`. The
/// caller checks the result by writing the expression again and comparing.
pub fn parse_output_map(expression: &str) -> Option<OutputMap> {
    let (exponential, rest) = match expression.find("exp(") {
        Some(start) => (true, &expression[start + 4..]),
        None => (false, expression.split_once(" = ")?.1),
    };
    let (scale, rest) = rest.split_once(" * y")?;
    let offset = rest.split_once(" + (")?.1.split_once(')')?.0;
    let (scale, offset) = (scale.trim().parse().ok()?, offset.trim().parse().ok()?);
    Some(if exponential { OutputMap::Exp { scale, offset } } else { OutputMap::Linear { scale, offset } })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_maps_read_back_exactly() {
        for map in [OutputMap::Exp { scale: 4.021838585744082, offset: -6.244652080505199 }, OutputMap::Linear { scale: 0.0574, offset: 1.2110148487879182 }] {
            let text = map.manifest_expression("sigma_pb");
            assert_eq!(parse_output_map(&text), Some(map), "{text}");
        }
        let structured = "sigma_pb = ((N22)^2) * exp(4.5 * y0 + (-8.25)) - ((N23)^2) * exp(4.5 * y1 + (-8.25))";
        assert_eq!(parse_output_map(structured), Some(OutputMap::Exp { scale: 4.5, offset: -8.25 }));
        assert_eq!(parse_output_map("K = y"), None);
        assert_eq!(parse_output_map("K = 0.1 * y + (x)"), None);
    }
}
