//! Validity checks of a prediction, returned as structured warnings.
//!
//! The thresholds are the selection of the DeepXS training data (Otten et
//! al., Eur. Phys. J. C 80 (2020) 12, section 2): χ̃⁰₁ is the lightest
//! sparticle, first- and second-generation squarks above 500 GeV, χ̃±₁ above
//! 100 GeV, drawn from the pMSSM-19 box of the ATLAS Run-1 scan.

use serde::Serialize;

use crate::input::Point;
use crate::record::{Column, SQUARK_COLUMNS};

/// σ_exp in pb: 10 events in 150 fb⁻¹. Below it a pair is beyond the reach
/// of LHC Run 2 and the DeepXS training put less weight on accuracy.
pub const SIGMA_EXPERIMENTAL_PB: f64 = 6.6e-5;

/// σ_min in pb: one event in 3000 fb⁻¹. Points below it were not used in
/// training, so values there are extrapolations.
pub const SIGMA_MINIMUM_PB: f64 = 3.3e-7;

/// Squark masses below this (GeV) were cut from the training data.
pub const MIN_SQUARK_MASS_GEV: f64 = 500.0;

/// χ̃±₁ masses below this (GeV) were cut from the training data.
pub const MIN_CHARGINO_MASS_GEV: f64 = 100.0;

/// Upper edge of the electroweakino masses in the training box, in GeV:
/// |M1|, |M2|, |μ| ≤ 4 TeV, plus the shift from mixing.
pub const MAX_ELECTROWEAKINO_MASS_GEV: f64 = 4200.0;

/// Upper edge of squark and gluino masses in the training box, in GeV:
/// soft masses and M3 ≤ 4 TeV, plus radiative corrections of the spectrum
/// generator.
pub const MAX_COLOURED_MASS_GEV: f64 = 4500.0;

/// Lower edge of the gluino mass in the training box (M3 ≥ 200 GeV).
pub const MIN_GLUINO_MASS_GEV: f64 = 200.0;

/// A reason to treat a number with care.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Warning {
    /// Another sparticle is lighter than χ̃⁰₁.
    NeutralinoNotLsp { lsp_pdg: i64, lsp_mass_gev: f64, neutralino_mass_gev: f64 },
    /// A first- or second-generation squark is below 500 GeV.
    LightSquark { pdg: i64, mass_gev: f64 },
    /// χ̃±₁ is below 100 GeV.
    LightChargino { mass_gev: f64 },
    /// σ below σ_exp.
    BelowExperimentalReach { sigma_pb: f64 },
    /// σ below σ_min.
    BelowTrainingMinimum { sigma_pb: f64 },
    /// An input lies outside the training box.
    Extrapolation { input: String, value: f64, allowed: String },
    /// The spectrum generator flagged an error in the file.
    GeneratorError { message: String },
}

impl Warning {
    /// Short machine-readable code, as in CSV output.
    pub fn code(&self) -> &'static str {
        match self {
            Warning::NeutralinoNotLsp { .. } => "neutralino_not_lsp",
            Warning::LightSquark { .. } => "light_squark",
            Warning::LightChargino { .. } => "light_chargino",
            Warning::BelowExperimentalReach { .. } => "below_experimental_reach",
            Warning::BelowTrainingMinimum { .. } => "below_training_minimum",
            Warning::Extrapolation { .. } => "extrapolation",
            Warning::GeneratorError { .. } => "generator_error",
        }
    }

    /// Plain-language explanation for people.
    pub fn message(&self) -> String {
        match self {
            Warning::NeutralinoNotLsp { lsp_pdg, lsp_mass_gev, neutralino_mass_gev } => format!(
                "χ̃⁰₁ ({neutralino_mass_gev:.1} GeV) is not the lightest sparticle: PDG {lsp_pdg} has {lsp_mass_gev:.1} GeV; the networks were trained on χ̃⁰₁-LSP spectra only"
            ),
            Warning::LightSquark { pdg, mass_gev } => format!(
                "squark PDG {pdg} has {mass_gev:.1} GeV, below the {MIN_SQUARK_MASS_GEV} GeV of the training data; squark exchange may be poorly modelled"
            ),
            Warning::LightChargino { mass_gev } => format!(
                "χ̃±₁ has {mass_gev:.1} GeV, below the {MIN_CHARGINO_MASS_GEV} GeV of the training data (LEP limit)"
            ),
            Warning::BelowExperimentalReach { sigma_pb } => format!(
                "σ = {sigma_pb:.3e} pb is below σ_exp = {SIGMA_EXPERIMENTAL_PB:e} pb (fewer than 10 events in 150 fb⁻¹); the networks are less accurate there"
            ),
            Warning::BelowTrainingMinimum { sigma_pb } => format!(
                "σ = {sigma_pb:.3e} pb is below σ_min = {SIGMA_MINIMUM_PB:e} pb (under one event in 3000 fb⁻¹), outside the training domain"
            ),
            Warning::Extrapolation { input, value, allowed } => {
                format!("{input} = {value} lies outside the training box ({allowed}); the value is an extrapolation")
            }
            Warning::GeneratorError { message } => message.clone(),
        }
    }
}

/// Warnings that depend only on the point's inputs, for a pair that reads
/// the given columns.
pub fn input_warnings(point: &Point, columns: &[Column]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for message in &point.generator_errors {
        warnings.push(Warning::GeneratorError { message: message.clone() });
    }
    if let Some(masses) = &point.sparticle_masses {
        let neutralino = masses.iter().find(|(pdg, _)| *pdg == 1000022).map(|&(_, mass)| mass.abs());
        let lightest = masses
            .iter()
            .filter(|(pdg, _)| *pdg != 1000022)
            .map(|&(pdg, mass)| (pdg, mass.abs()))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let (Some(neutralino), Some((lsp_pdg, lsp_mass_gev))) = (neutralino, lightest) {
            if lsp_mass_gev < neutralino {
                warnings.push(Warning::NeutralinoNotLsp { lsp_pdg, lsp_mass_gev, neutralino_mass_gev: neutralino });
            }
        }
    }
    let record = &point.record;
    for column in SQUARK_COLUMNS {
        if let Some(mass_gev) = record.get(column) {
            let pdg = column.name()[2..].parse().unwrap_or(0);
            if mass_gev < MIN_SQUARK_MASS_GEV {
                warnings.push(Warning::LightSquark { pdg, mass_gev });
            }
        }
    }
    if let Some(mass_gev) = record.get(Column::MChi1pm) {
        if mass_gev < MIN_CHARGINO_MASS_GEV {
            warnings.push(Warning::LightChargino { mass_gev });
        }
    }
    for &column in columns {
        let Some(value) = record.get(column) else { continue };
        let (low, high) = match column {
            Column::MChi20 | Column::MChi1pm => (f64::NEG_INFINITY, MAX_ELECTROWEAKINO_MASS_GEV),
            Column::MGluino => (MIN_GLUINO_MASS_GEV, MAX_COLOURED_MASS_GEV),
            column if SQUARK_COLUMNS.contains(&column) => (f64::NEG_INFINITY, MAX_COLOURED_MASS_GEV),
            _ => continue,
        };
        let magnitude = value.abs();
        if magnitude > high || magnitude < low {
            let allowed = if low.is_finite() { format!("{low} to {high} GeV") } else { format!("up to {high} GeV") };
            warnings.push(Warning::Extrapolation { input: column.name().to_string(), value, allowed });
        }
    }
    warnings
}

/// Warnings on the size of the final cross section in pb.
pub fn sigma_warnings(sigma_pb: f64) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if sigma_pb < SIGMA_MINIMUM_PB {
        warnings.push(Warning::BelowTrainingMinimum { sigma_pb });
    }
    if sigma_pb < SIGMA_EXPERIMENTAL_PB {
        warnings.push(Warning::BelowExperimentalReach { sigma_pb });
    }
    warnings
}
