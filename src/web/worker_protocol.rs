//! Messages between the page and the batch worker. gloo-worker encodes them
//! with bincode, which cannot decode the internally tagged enums of
//! `PointPrediction` (`Status`, `Warning`), so predictions travel as the
//! plain mirrors below and are converted back on the page.

use serde::{Deserialize, Serialize};

use crate::checks::Warning;
use crate::input::InputFormat;
use crate::pair::Pair;
use crate::predict::{PairPrediction, PointPrediction, Status};

/// A file sent to the worker: an input, or one file of a network set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireFile {
    pub name: String,
    /// Sent as one byte string: serde's default for `Vec<u8>` encodes every
    /// byte on its own, which is slow for inputs of tens of megabytes.
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

/// A message from the page to the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Replaces the worker's network set with the set in these files.
    LoadNetworks { files: Vec<WireFile> },
    /// Reads and predicts an input file as job `job`, in chunks. A running
    /// job is dropped.
    Compute { job: u64, file: WireFile },
    /// Stops job `job` after the chunk in progress.
    Cancel { job: u64 },
}

/// A message from the worker to the page. Every message of a job carries its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The file was read; `total_points` points follow in chunks.
    Started {
        job: u64,
        format: InputFormat,
        total_points: usize,
        /// Messages of the rows that could not be read.
        row_errors: Vec<String>,
        /// The text of an SLHA file, for appending XSECTION blocks.
        slha_text: Option<String>,
    },
    /// Predictions of the next points in file order, with m(χ̃±₁) and
    /// |m(χ̃⁰₂)| in GeV of each point.
    Chunk { job: u64, points: Vec<WirePoint>, masses_gev: Vec<(Option<f64>, Option<f64>)> },
    /// All points were sent. `busy_ms` is the time in ms the worker spent
    /// reading the file, predicting and encoding messages, without waits.
    Finished { job: u64, busy_ms: f64 },
    /// The file, or the worker's network set, could not be read.
    Failed { job: u64, message: String },
}

/// [`PointPrediction`] in a form bincode can decode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WirePoint {
    pub source: String,
    pub row: usize,
    pub pairs: Vec<WirePair>,
}

/// [`PairPrediction`] in a form bincode can decode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WirePair {
    pub pair: Pair,
    pub status: WireStatus,
    pub lo_pb: Option<f64>,
    pub k: Option<f64>,
    pub nlo_pb: Option<f64>,
    pub lo_relative_uncertainty: Option<f64>,
    pub k_relative_uncertainty: Option<f64>,
    pub nlo_relative_uncertainty: Option<f64>,
    pub warnings: Vec<WireWarning>,
}

/// [`Status`], externally tagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WireStatus {
    Ok,
    NotComputable { missing: Vec<String> },
    Invalid { reason: String },
}

/// [`Warning`], externally tagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WireWarning {
    NeutralinoNotLsp { lsp_pdg: i64, lsp_mass_gev: f64, neutralino_mass_gev: f64 },
    LightSquark { pdg: i64, mass_gev: f64 },
    LightChargino { mass_gev: f64 },
    BelowExperimentalReach { sigma_pb: f64 },
    BelowTrainingMinimum { sigma_pb: f64 },
    Extrapolation { input: String, value: f64, allowed: String },
    GeneratorError { message: String },
}

// The conversions to the wire types take the predictions by value: the
// worker sends each chunk once, so its strings are moved, not copied.
impl From<PointPrediction> for WirePoint {
    fn from(point: PointPrediction) -> Self {
        WirePoint { source: point.source, row: point.row, pairs: point.pairs.into_iter().map(WirePair::from).collect() }
    }
}

impl From<WirePoint> for PointPrediction {
    fn from(point: WirePoint) -> Self {
        PointPrediction { source: point.source, row: point.row, pairs: point.pairs.into_iter().map(PairPrediction::from).collect() }
    }
}

impl From<PairPrediction> for WirePair {
    fn from(prediction: PairPrediction) -> Self {
        WirePair {
            pair: prediction.pair,
            status: WireStatus::from(prediction.status),
            lo_pb: prediction.lo_pb,
            k: prediction.k,
            nlo_pb: prediction.nlo_pb,
            lo_relative_uncertainty: prediction.lo_relative_uncertainty,
            k_relative_uncertainty: prediction.k_relative_uncertainty,
            nlo_relative_uncertainty: prediction.nlo_relative_uncertainty,
            warnings: prediction.warnings.into_iter().map(WireWarning::from).collect(),
        }
    }
}

impl From<WirePair> for PairPrediction {
    fn from(prediction: WirePair) -> Self {
        PairPrediction {
            pair: prediction.pair,
            status: Status::from(prediction.status),
            lo_pb: prediction.lo_pb,
            k: prediction.k,
            nlo_pb: prediction.nlo_pb,
            lo_relative_uncertainty: prediction.lo_relative_uncertainty,
            k_relative_uncertainty: prediction.k_relative_uncertainty,
            nlo_relative_uncertainty: prediction.nlo_relative_uncertainty,
            warnings: prediction.warnings.into_iter().map(Warning::from).collect(),
        }
    }
}

impl From<Status> for WireStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Ok => WireStatus::Ok,
            Status::NotComputable { missing } => WireStatus::NotComputable { missing },
            Status::Invalid { reason } => WireStatus::Invalid { reason },
        }
    }
}

impl From<WireStatus> for Status {
    fn from(status: WireStatus) -> Self {
        match status {
            WireStatus::Ok => Status::Ok,
            WireStatus::NotComputable { missing } => Status::NotComputable { missing },
            WireStatus::Invalid { reason } => Status::Invalid { reason },
        }
    }
}

impl From<Warning> for WireWarning {
    fn from(warning: Warning) -> Self {
        match warning {
            Warning::NeutralinoNotLsp { lsp_pdg, lsp_mass_gev, neutralino_mass_gev } => {
                WireWarning::NeutralinoNotLsp { lsp_pdg, lsp_mass_gev, neutralino_mass_gev }
            }
            Warning::LightSquark { pdg, mass_gev } => WireWarning::LightSquark { pdg, mass_gev },
            Warning::LightChargino { mass_gev } => WireWarning::LightChargino { mass_gev },
            Warning::BelowExperimentalReach { sigma_pb } => WireWarning::BelowExperimentalReach { sigma_pb },
            Warning::BelowTrainingMinimum { sigma_pb } => WireWarning::BelowTrainingMinimum { sigma_pb },
            Warning::Extrapolation { input, value, allowed } => WireWarning::Extrapolation { input, value, allowed },
            Warning::GeneratorError { message } => WireWarning::GeneratorError { message },
        }
    }
}

impl From<WireWarning> for Warning {
    fn from(warning: WireWarning) -> Self {
        match warning {
            WireWarning::NeutralinoNotLsp { lsp_pdg, lsp_mass_gev, neutralino_mass_gev } => {
                Warning::NeutralinoNotLsp { lsp_pdg, lsp_mass_gev, neutralino_mass_gev }
            }
            WireWarning::LightSquark { pdg, mass_gev } => Warning::LightSquark { pdg, mass_gev },
            WireWarning::LightChargino { mass_gev } => Warning::LightChargino { mass_gev },
            WireWarning::BelowExperimentalReach { sigma_pb } => Warning::BelowExperimentalReach { sigma_pb },
            WireWarning::BelowTrainingMinimum { sigma_pb } => Warning::BelowTrainingMinimum { sigma_pb },
            WireWarning::Extrapolation { input, value, allowed } => Warning::Extrapolation { input, value, allowed },
            WireWarning::GeneratorError { message } => Warning::GeneratorError { message },
        }
    }
}
