//! The full electroweakino and squark spectrum of one pMSSM point.
//!
//! The networks need only 19 numbers per point (see [`crate::record`]), but
//! the exact leading-order engine and the validity checks need every
//! neutralino and chargino with its mixing, and every first- and
//! second-generation squark. Conventions are those of SLHA2 with real mixing
//! matrices: neutralino masses are signed (a negative eigenvalue stands for a
//! factor i in that row of N), chargino masses are positive.

use serde::{Deserialize, Serialize};

/// PDG codes of the four neutralinos in SLHA order (χ̃⁰₁ … χ̃⁰₄).
pub const NEUTRALINO_PDG: [i64; 4] = [1000022, 1000023, 1000025, 1000035];

/// PDG codes of the two positive charginos (χ̃⁺₁, χ̃⁺₂).
pub const CHARGINO_PDG: [i64; 2] = [1000024, 1000037];

/// PDG codes of the eight first- and second-generation squarks, in the order
/// of the canonical input columns: d̃_L, d̃_R, ũ_R, ũ_L, s̃_L, s̃_R, c̃_L, c̃_R.
pub const SQUARK_PDG: [i64; 8] = [
    1000001, 2000001, 2000002, 1000002, 1000003, 2000003, 1000004, 2000004,
];

/// PDG code of the gluino.
pub const GLUINO_PDG: i64 = 1000021;

/// Masses and real mixing matrices of one spectrum, in GeV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spectrum {
    /// Signed neutralino masses in GeV, χ̃⁰₁ … χ̃⁰₄ (PDG order of [`NEUTRALINO_PDG`]).
    pub neutralino_mass_gev: [f64; 4],
    /// Neutralino mixing matrix N (SLHA block NMIX), `nmix[i][j]` = N_{i+1, j+1}.
    pub nmix: [[f64; 4]; 4],
    /// Chargino masses in GeV, χ̃⁺₁ and χ̃⁺₂ (positive).
    pub chargino_mass_gev: [f64; 2],
    /// Chargino mixing matrix U (SLHA block UMIX), `umix[i][j]` = U_{i+1, j+1}.
    pub umix: [[f64; 2]; 2],
    /// Chargino mixing matrix V (SLHA block VMIX), `vmix[i][j]` = V_{i+1, j+1}.
    pub vmix: [[f64; 2]; 2],
    /// First- and second-generation squark masses in GeV, in the order of [`SQUARK_PDG`].
    pub squark_mass_gev: [f64; 8],
    /// Gluino mass in GeV (positive).
    pub gluino_mass_gev: f64,
}

impl Spectrum {
    /// Returns the mass in GeV of the squark with the given PDG code, if it is
    /// one of the eight first- and second-generation squarks.
    pub fn squark_mass(&self, pdg: i64) -> Option<f64> {
        SQUARK_PDG
            .iter()
            .position(|&code| code == pdg)
            .map(|index| self.squark_mass_gev[index])
    }

    /// Arithmetic mean of the eight first- and second-generation squark masses in GeV.
    pub fn mean_squark_mass_gev(&self) -> f64 {
        self.squark_mass_gev.iter().sum::<f64>() / 8.0
    }
}
