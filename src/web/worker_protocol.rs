//! Messages between the page and the batch workers. gloo-worker encodes
//! them with bincode, which cannot decode the internally tagged enums of
//! `PointPrediction` (`Status`, `Warning`), so predictions travel packed in
//! [`PackedPredictions`], with plain mirrors of those enums, and are
//! unpacked on the page.

use serde::{Deserialize, Serialize};

use crate::checks::Warning;
use crate::input::InputFormat;
use crate::pair::PAIRS;
use crate::predict::{PairPrediction, PointPrediction, Status};
use crate::web::file_parts::PartOrigin;

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
    /// Reads and predicts part `part` of an input file as job `job`, in
    /// chunks. `file.bytes` contains the part only; `origin` places it in the
    /// whole file. A running job is dropped.
    Compute { job: u64, part: u32, origin: PartOrigin, file: WireFile },
    /// Stops job `job` after the chunk in progress.
    Cancel { job: u64 },
}

/// A message from the worker to the page. Every message of a job carries
/// its id and the index of the file part it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The part was read; `total_points` points follow in chunks.
    Started {
        job: u64,
        part: u32,
        format: InputFormat,
        total_points: usize,
        /// Messages of the rows that could not be read, naming lines of the whole file.
        row_errors: Vec<String>,
        /// The text of an SLHA file, for appending XSECTION blocks.
        slha_text: Option<String>,
    },
    /// Predictions of the next points of the part in file order, with
    /// m(χ̃±₁) and |m(χ̃⁰₂)| in GeV of each point.
    Chunk { job: u64, part: u32, points: PackedPredictions, masses_gev: Vec<(Option<f64>, Option<f64>)> },
    /// All points of the part were sent. `busy_ms` is the time in ms the
    /// worker spent reading the part, predicting and encoding messages,
    /// without waits.
    Finished { job: u64, part: u32, busy_ms: f64 },
    /// The part, or the worker's network set, could not be read.
    Failed { job: u64, part: u32, message: String },
}

impl Response {
    /// Returns the job id and the part index of the message.
    pub fn job_part(&self) -> (u64, u32) {
        match self {
            Response::Started { job, part, .. }
            | Response::Chunk { job, part, .. }
            | Response::Finished { job, part, .. }
            | Response::Failed { job, part, .. } => (*job, *part),
        }
    }
}

/// Number of values a pair entry can have in [`PackedPredictions::values`].
const VALUES_PER_ENTRY: usize = 6;

/// The predictions of a chunk of points of one file, packed for a cheap
/// bincode round trip: numbers in flat vectors, each distinct status once,
/// and warnings only for the pair entries that have any. A pair entry is
/// one [`PairPrediction`]; the entries of all points follow each other in
/// point order. Every point of a file carries the file's name as its
/// source, so the name is not sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PackedPredictions {
    /// 0-based data row of each point.
    pub rows: Vec<u64>,
    /// Number of pair entries of each point.
    #[serde(with = "serde_bytes")]
    pub pair_counts: Vec<u8>,
    /// Pair of each entry, as its index in [`PAIRS`].
    #[serde(with = "serde_bytes")]
    pub pairs: Vec<u8>,
    /// The distinct statuses of the chunk.
    pub statuses: Vec<WireStatus>,
    /// Index into `statuses` of each entry.
    pub status_of: Vec<u32>,
    /// One byte per entry: bit i is set when the entry has value i of σ_LO
    /// in pb, K, σ_NLO in pb, and the relative uncertainties of LO, K and NLO.
    #[serde(with = "serde_bytes")]
    pub present: Vec<u8>,
    /// The present values of all entries in entry order, each entry's in
    /// the order of the bits of `present`.
    pub values: Vec<f64>,
    /// Warnings of the entries that have any, as (entry index, warnings).
    pub warnings: Vec<(u32, Vec<WireWarning>)>,
}

impl PackedPredictions {
    /// Packs predictions, taking them by value: the worker sends each
    /// chunk once, so the warnings' strings are moved, not copied.
    pub fn pack(predictions: Vec<PointPrediction>) -> PackedPredictions {
        let entries: usize = predictions.iter().map(|point| point.pairs.len()).sum();
        let mut packed = PackedPredictions {
            rows: Vec::with_capacity(predictions.len()),
            pair_counts: Vec::with_capacity(predictions.len()),
            pairs: Vec::with_capacity(entries),
            statuses: Vec::new(),
            status_of: Vec::with_capacity(entries),
            present: Vec::with_capacity(entries),
            values: Vec::with_capacity(entries * VALUES_PER_ENTRY),
            warnings: Vec::new(),
        };
        // The status index used last for each pair: rows of one file mostly
        // repeat their pair's status, so this spares most comparisons.
        let mut last_status: [Option<usize>; PAIRS.len()] = [None; PAIRS.len()];
        let mut known_statuses: Vec<Status> = Vec::new();
        for point in predictions {
            packed.rows.push(point.row as u64);
            // A point has one entry per requested pair, at most the four of PAIRS.
            packed.pair_counts.push(point.pairs.len() as u8);
            for prediction in point.pairs {
                let entry = packed.pairs.len() as u32;
                let pair_index = PAIRS.iter().position(|pair| *pair == prediction.pair).unwrap_or(0);
                packed.pairs.push(pair_index as u8);

                // Statuses are compared before conversion: rows with the same
                // gaps share one list, so most comparisons are pointer checks.
                let status = prediction.status;
                let cached = last_status[pair_index].filter(|&index| known_statuses[index] == status);
                let index = match cached.or_else(|| known_statuses.iter().position(|known| *known == status)) {
                    Some(index) => index,
                    None => {
                        packed.statuses.push(WireStatus::from(status.clone()));
                        known_statuses.push(status);
                        known_statuses.len() - 1
                    }
                };
                last_status[pair_index] = Some(index);
                packed.status_of.push(index as u32);

                let values = [
                    prediction.lo_pb,
                    prediction.k,
                    prediction.nlo_pb,
                    prediction.lo_relative_uncertainty,
                    prediction.k_relative_uncertainty,
                    prediction.nlo_relative_uncertainty,
                ];
                let mut present = 0u8;
                for (bit, value) in values.iter().enumerate() {
                    if let Some(value) = value {
                        present |= 1 << bit;
                        packed.values.push(*value);
                    }
                }
                packed.present.push(present);

                if !prediction.warnings.is_empty() {
                    packed.warnings.push((entry, prediction.warnings.into_iter().map(WireWarning::from).collect()));
                }
            }
        }
        packed
    }

    /// Number of points in the chunk.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Unpacks the predictions, with `source` as every point's source and
    /// `row_offset` added to every row. Returns an error for an
    /// inconsistent message instead of panicking.
    pub fn unpack(self, source: &str, row_offset: usize) -> Result<Vec<PointPrediction>, String> {
        let entries = self.pairs.len();
        let present_values: usize = self.present.iter().map(|bits| (bits & 0b11_1111).count_ones() as usize).sum();
        if self.pair_counts.len() != self.rows.len()
            || self.pair_counts.iter().map(|&count| usize::from(count)).sum::<usize>() != entries
            || self.status_of.len() != entries
            || self.present.len() != entries
            || self.values.len() != present_values
        {
            return Err("the batch worker sent a chunk with inconsistent lengths".into());
        }
        // Each distinct status is converted once and then shared by its rows.
        let statuses: Vec<Status> = self.statuses.into_iter().map(Status::from).collect();
        let mut warnings = self.warnings.into_iter().peekable();
        // The length check above makes every value present.
        let mut values = self.values.iter().copied();
        let mut points = Vec::with_capacity(self.rows.len());
        let mut entry = 0usize;
        for (&row, &count) in self.rows.iter().zip(&self.pair_counts) {
            let mut pairs = Vec::with_capacity(usize::from(count));
            for _ in 0..count {
                let pair = *PAIRS
                    .get(usize::from(self.pairs[entry]))
                    .ok_or_else(|| format!("the batch worker sent an unknown pair index {}", self.pairs[entry]))?;
                let status = statuses
                    .get(self.status_of[entry] as usize)
                    .ok_or_else(|| format!("the batch worker sent an unknown status index {}", self.status_of[entry]))?;
                let present = self.present[entry];
                let mut entry_values = [None; VALUES_PER_ENTRY];
                for (bit, slot) in entry_values.iter_mut().enumerate() {
                    if present & (1 << bit) != 0 {
                        *slot = Some(values.next().unwrap_or(0.0));
                    }
                }
                let value = |bit: usize| entry_values[bit];
                let entry_warnings = match warnings.next_if(|(index, _)| *index as usize == entry) {
                    Some((_, list)) => list.into_iter().map(Warning::from).collect(),
                    None => Vec::new(),
                };
                pairs.push(PairPrediction {
                    pair,
                    status: status.clone(),
                    lo_pb: value(0),
                    k: value(1),
                    nlo_pb: value(2),
                    lo_relative_uncertainty: value(3),
                    k_relative_uncertainty: value(4),
                    nlo_relative_uncertainty: value(5),
                    warnings: entry_warnings,
                });
                entry += 1;
            }
            points.push(PointPrediction { source: source.to_string(), row: row as usize + row_offset, pairs });
        }
        if warnings.next().is_some() {
            return Err("the batch worker sent warnings of an unknown pair entry".into());
        }
        Ok(points)
    }
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

impl From<Status> for WireStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Ok => WireStatus::Ok,
            Status::NotComputable { missing } => WireStatus::NotComputable { missing: missing.to_vec() },
            Status::Invalid { reason } => WireStatus::Invalid { reason },
        }
    }
}

impl From<WireStatus> for Status {
    fn from(status: WireStatus) -> Self {
        match status {
            WireStatus::Ok => Status::Ok,
            WireStatus::NotComputable { missing } => Status::NotComputable { missing: missing.into() },
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
