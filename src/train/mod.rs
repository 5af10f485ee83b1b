//! Training of the dense SELU networks that the inference core loads.
//!
//! Native only: training uses threads (rayon) and the file system, so the
//! module is not compiled for wasm32. The pieces are a hand-written forward
//! and backward pass ([`mlp`]), Adam ([`adam`]), the MAPE objective on the
//! original scale through an output map ([`objective`]), the feature sets
//! ([`features`]), labelled data ([`dataset`], [`labels`]), the training loop
//! with restarts and early stopping ([`trainer`]) and the writer of the
//! safetensors + manifest format ([`export`]), the rounding of shipped
//! weights ([`compact`]), the sampling of inputs around existing points
//! ([`sampling`]) and from the pMSSM-19 box ([`pmssm_box`]), the exact
//! term values of structured networks ([`terms`]), and the training of a
//! whole stage with progress output ([`run`], [`progress`]).

pub mod adam;
pub mod compact;
pub mod dataset;
pub mod engine;
pub mod export;
pub mod features;
pub mod labels;
pub mod mlp;
pub mod objective;
pub mod pmssm_box;
pub mod progress;
pub mod run;
pub mod sampling;
pub mod terms;
pub mod trainer;
pub mod warm;

use std::path::PathBuf;

/// Errors of the training tools.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}:{line}: {detail}")]
    Data { path: PathBuf, line: usize, detail: String },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Weights(#[from] crate::error::WeightsError),
}

impl TrainError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        TrainError::Io { path: path.into(), source }
    }
}

/// Loads a network set from a directory with manifest.json and its
/// `<name>.safetensors` files.
pub fn load_weight_directory(directory: &std::path::Path) -> Result<crate::pipeline::WeightSet, TrainError> {
    let manifest_path = directory.join("manifest.json");
    let manifest = std::fs::read_to_string(&manifest_path).map_err(|error| TrainError::io(&manifest_path, error))?;
    crate::pipeline::WeightSet::load(&manifest, &mut |name| {
        let path = directory.join(format!("{name}.safetensors"));
        std::fs::read(&path).map_err(|error| format!("{}: {error}", path.display()))
    })
    .map_err(TrainError::from)
}
