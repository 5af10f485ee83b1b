//! LO labels from the exact leading-order engine.
//!
//! The 19 network inputs fix every quantity that σ_LO of the four pairs
//! depends on: χ̃⁰₂ through N row 2 and its signed mass, χ̃±₁ through U row 1,
//! V row 1 and its mass, and the eight squark masses. [`spectrum_from_record`]
//! builds an engine spectrum from them; the rows of the other neutralinos
//! and charginos are placeholders that no cross section of these pairs
//! reads, so the engine gives the same σ_LO as from the full spectrum.

use std::path::Path;

use rayon::prelude::*;

use super::features::StageKind;
use super::labels::LabelSource;
use super::TrainError;
use crate::output::NETWORK_SQRTS_GEV;
use crate::pair::Pair;
use crate::physics::{LoEngine, PdfSet};
use crate::record::{Column, InputRecord};
use crate::spectrum::Spectrum;

/// Mass in GeV given to the neutralinos and the chargino that the inputs
/// do not describe. The four pairs never read it.
const PLACEHOLDER_MASS_GEV: f64 = 10_000.0;

/// Maps one of our pairs to the engine's pair type.
pub fn engine_pair(pair: Pair) -> crate::physics::Pair {
    use crate::physics::Pair as EnginePair;
    // Engine indices are 0-based: χ̃⁰₂ is neutralino 1, χ̃±₁ is chargino 0.
    match pair {
        Pair::C1c1 => EnginePair::CharginoPair(0, 0),
        Pair::N2n2 => EnginePair::NeutralinoNeutralino(1, 1),
        Pair::N2c1p => EnginePair::NeutralinoChargino { neutralino: 1, chargino: 0, positive: true },
        Pair::N2c1m => EnginePair::NeutralinoChargino { neutralino: 1, chargino: 0, positive: false },
    }
}

/// Builds an engine spectrum from the inputs `pair` needs; `None` when one
/// of them is missing. Inputs the pair does not read (N for χ̃⁺₁χ̃⁻₁, U and V
/// for χ̃⁰₂χ̃⁰₂) become placeholders.
pub fn spectrum_from_record(record: &InputRecord, pair: Pair) -> Option<Spectrum> {
    let get = |column: Column| record.get(column);
    let mut spectrum = Spectrum {
        neutralino_mass_gev: [PLACEHOLDER_MASS_GEV; 4],
        nmix: [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
        chargino_mass_gev: [PLACEHOLDER_MASS_GEV; 2],
        umix: [[1.0, 0.0], [0.0, 1.0]],
        vmix: [[1.0, 0.0], [0.0, 1.0]],
        squark_mass_gev: [0.0; 8],
        gluino_mass_gev: get(Column::MGluino).unwrap_or(PLACEHOLDER_MASS_GEV),
    };
    if pair.has_neutralino() {
        spectrum.neutralino_mass_gev[1] = get(Column::MChi20)?;
        spectrum.nmix[1] = [get(Column::N21)?, get(Column::N22)?, get(Column::N23)?, get(Column::N24)?];
    }
    if pair.has_chargino() {
        spectrum.chargino_mass_gev[0] = get(Column::MChi1pm)?;
        let (u11, u12, v11, v12) = (get(Column::U11)?, get(Column::U12)?, get(Column::V11)?, get(Column::V12)?);
        spectrum.umix = [[u11, u12], [-u12, u11]];
        spectrum.vmix = [[v11, v12], [-v12, v11]];
    }
    for (slot, column) in spectrum.squark_mass_gev.iter_mut().zip(crate::record::SQUARK_COLUMNS) {
        *slot = get(column)?;
    }
    Some(spectrum)
}

/// Loads an LHAPDF6 set from its directory (`<name>.info` and
/// `<name>_0000.dat`, the central member).
pub fn load_pdf_directory(directory: &Path) -> Result<PdfSet, TrainError> {
    let name = directory
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| TrainError::Invalid(format!("{}: not a PDF set directory", directory.display())))?;
    let info_path = directory.join(format!("{name}.info"));
    let data_path = directory.join(format!("{name}_0000.dat"));
    let info = std::fs::read_to_string(&info_path).map_err(|error| TrainError::io(&info_path, error))?;
    let data = std::fs::read_to_string(&data_path).map_err(|error| TrainError::io(&data_path, error))?;
    PdfSet::from_lhapdf_strings(&info, &data, &data_path.display().to_string())
        .map_err(|error| TrainError::Invalid(format!("{}: {error}", data_path.display())))
}

/// σ_LO labels in pb from the exact engine at √s = 13 TeV, with every
/// squark at its own mass.
pub struct EngineLabels {
    pub description: String,
    pub pdf: PdfSet,
}

impl EngineLabels {
    /// σ_LO in pb of `pair` for each record; `None` where an input is
    /// missing or the engine rejects the spectrum.
    pub fn cross_sections(&self, pair: Pair, records: &[InputRecord]) -> Vec<Option<f64>> {
        let Ok(engine) = LoEngine::new(&self.pdf, NETWORK_SQRTS_GEV) else {
            return vec![None; records.len()];
        };
        records
            .par_iter()
            .map(|record| {
                let spectrum = spectrum_from_record(record, pair)?;
                let sigma = engine.cross_section(&spectrum, engine_pair(pair)).ok()?.lo_pb;
                (sigma.is_finite() && sigma > 0.0).then_some(sigma)
            })
            .collect()
    }
}

impl LabelSource for EngineLabels {
    fn describe(&self) -> String {
        self.description.clone()
    }

    /// LO only: the engine has no K-factor, so K rows are unlabelled.
    fn labels(&self, pair: Pair, stage: StageKind, records: &[InputRecord]) -> Vec<Option<f64>> {
        match stage {
            StageKind::Lo => self.cross_sections(pair, records),
            StageKind::K => vec![None; records.len()],
        }
    }
}
