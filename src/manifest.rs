//! The manifest of a network set: for each pair, which networks compute LO
//! and K, their input features, z-score constants, output maps and the
//! rules that pick a general or a specialised network.
//!
//! The schema is that of the DeepXS reference conversion, extended so that a
//! network may be an ensemble (a list of member names) and the set may
//! declare how it treats the sign freedom of the mixing matrices.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::WeightsError;

/// How a network set handles the sign freedom of mixing-matrix rows.
///
/// A row of N may change sign, and row 1 of U together with row 1 of V,
/// without changing any cross section; spectrum generators differ here
/// (SPheno writes U11, V11 < 0 for a wino-like χ̃±₁, SOFTSUSY > 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignConvention {
    /// Inputs go to the networks as given, so results depend on the
    /// generator's convention. The DeepXS reference networks are of this
    /// kind, and it is the default when a manifest does not declare one.
    #[default]
    Raw,
    /// Before the features are computed, N row 2 is flipped so that its
    /// element of largest magnitude (the first, on a tie) is positive, and U
    /// row 1 and V row 1 are flipped together so that the larger-magnitude
    /// element of U row 1 is positive. Results are exactly invariant.
    Canonical,
}

/// A network or an ensemble of networks given by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Members {
    One(String),
    Ensemble(Vec<String>),
}

impl Members {
    /// The member names.
    pub fn names(&self) -> Vec<String> {
        match self {
            Members::One(name) => vec![name.clone()],
            Members::Ensemble(names) => names.clone(),
        }
    }
}

/// General and specialised variants of one quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stacked<T> {
    pub general: T,
    pub specialised: T,
}

/// An output map: one expression, or one per stacked network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OutputMap {
    One(String),
    Stacked(Stacked<String>),
}

/// One stage of a pair's pipeline (LO or K).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageSpec {
    /// A single network or ensemble.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Members>,
    /// General and specialised networks (mutually exclusive with `network`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networks: Option<Stacked<Members>>,
    /// Number of leading layers with SELU; the rest are linear.
    pub selu_layers: usize,
    /// Feature expressions over the canonical input columns and
    /// `mean_squark_mass_8`.
    pub features: Vec<String>,
    /// z-score means, one per feature.
    pub mean: Vec<f64>,
    /// z-score standard deviations, one per feature.
    pub std: Vec<f64>,
    /// Output map, `sigma_pb = <expression>` or `K = <expression>`. The
    /// expression reads the network outputs `y0`, `y1`, … (`y` is `y0`) and
    /// may read the same variables as the features, so that a network with
    /// several outputs can return mass-dependent coefficients that the map
    /// multiplies with coupling products. Every member must have exactly as
    /// many outputs as the highest index read plus one.
    pub output: OutputMap,
    /// Rule for choosing the specialised network, in the wording of the
    /// reference manifest (see [`crate::pipeline::StackingRule`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stacking: Option<String>,
}

/// The LO and K stages of one pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessSpec {
    pub final_state_pdg: [i64; 2],
    pub lo: StageSpec,
    pub k: StageSpec,
}

/// A whole manifest. Unknown top-level fields are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub sign_convention: SignConvention,
    pub processes: BTreeMap<String, ProcessSpec>,
}

impl Manifest {
    /// Parses manifest JSON.
    pub fn from_json(text: &str) -> Result<Self, WeightsError> {
        serde_json::from_str(text).map_err(|error| WeightsError::Manifest(error.to_string()))
    }
}
