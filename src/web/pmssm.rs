//! The pMSSM-parameter mode: typed soft parameters, their tree-level
//! spectrum and the 19 form inputs taken from it. Plain Rust, tested natively.

use crate::physics::treelevel::{tree_level_spectrum, SoftParameters};
use crate::record::COLUMNS;
use crate::spectrum::Spectrum;
use crate::web::form::validate_field;

/// One typed soft parameter: its id (used in element ids), label and unit.
pub struct PmssmField {
    pub id: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
}

/// The eight fields in the order of [`PMSSM_DEFAULTS`]. The squark soft
/// masses apply to the first and second generation alike, as in
/// [`SoftParameters`].
pub const PMSSM_FIELDS: [PmssmField; 8] = [
    PmssmField { id: "M1", label: "M₁ (bino), signed", unit: "GeV" },
    PmssmField { id: "M2", label: "M₂ (wino), signed", unit: "GeV" },
    PmssmField { id: "mu", label: "μ (higgsino), signed", unit: "GeV" },
    PmssmField { id: "tan_beta", label: "tan β", unit: "" },
    PmssmField { id: "m_Q", label: "m(Q̃₁) = m(Q̃₂)", unit: "GeV" },
    PmssmField { id: "m_u", label: "m(ũ₁) = m(ũ₂)", unit: "GeV" },
    PmssmField { id: "m_d", label: "m(d̃₁) = m(d̃₂)", unit: "GeV" },
    PmssmField { id: "M3", label: "M₃ (gluino)", unit: "GeV" },
];

/// A hand-made wino-like point: χ̃±₁ and χ̃⁰₂ near M₂ = 400 GeV, bino-like
/// LSP, squarks at 2.5 TeV and the gluino at 3 TeV.
pub const PMSSM_DEFAULTS: [&str; 8] = ["200", "400", "1500", "10", "2500", "2500", "2500", "3000"];

/// Parses the typed fields into soft parameters, or returns a message that
/// names the first invalid field.
pub fn parse_soft_parameters(texts: &[String; 8]) -> Result<SoftParameters, String> {
    let mut values = [0.0; 8];
    for ((value, text), field) in values.iter_mut().zip(texts).zip(&PMSSM_FIELDS) {
        let trimmed = text.trim();
        let parsed: f64 = trimmed.parse().map_err(|_| format!("{}: '{trimmed}' is not a number", field.label))?;
        if !parsed.is_finite() {
            return Err(format!("{}: '{trimmed}' is not a finite number", field.label));
        }
        *value = parsed;
    }
    let [m1_gev, m2_gev, mu_gev, tan_beta, m_q_gev, m_u_gev, m_d_gev, m3_gev] = values;
    Ok(SoftParameters { m1_gev, m2_gev, m3_gev, mu_gev, tan_beta, m_q_gev, m_u_gev, m_d_gev })
}

/// Returns the 19 network inputs of a spectrum in canonical column order:
/// row 1 of U and V, row 2 of N, the signed χ̃⁰₂ mass, the χ̃±₁ mass, the
/// eight squark masses and the gluino mass (GeV).
pub fn form_values(spectrum: &Spectrum) -> [f64; 19] {
    let mut values = [0.0; 19];
    values[0] = spectrum.umix[0][0];
    values[1] = spectrum.umix[0][1];
    values[2] = spectrum.vmix[0][0];
    values[3] = spectrum.vmix[0][1];
    values[4..8].copy_from_slice(&spectrum.nmix[1]);
    values[8] = spectrum.neutralino_mass_gev[1];
    values[9] = spectrum.chargino_mass_gev[0];
    // SQUARK_PDG lists the squarks in the order of the canonical columns.
    values[10..18].copy_from_slice(&spectrum.squark_mass_gev);
    values[18] = spectrum.gluino_mass_gev;
    values
}

/// Computes the tree-level spectrum of the typed parameters and the form
/// texts taken from it. Fails with a message when a parameter is invalid or
/// when the spectrum gives an input the networks reject (a zero χ̃±₁ mass,
/// for example).
pub fn fill_form(texts: &[String; 8]) -> Result<(Spectrum, [String; 19]), String> {
    let parameters = parse_soft_parameters(texts)?;
    let spectrum = tree_level_spectrum(&parameters).map_err(|error| format!("invalid parameters: {error}"))?;
    let form = form_values(&spectrum).map(|value| value.to_string());
    for (column, text) in COLUMNS.iter().zip(&form) {
        validate_field(*column, text).map_err(|message| {
            format!("the tree-level spectrum gives {} = {text}, which the networks cannot take: {message}", column.name())
        })?;
    }
    Ok((spectrum, form))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::read_input;
    use crate::record::Column;

    fn texts(values: [&str; 8]) -> [String; 8] {
        values.map(str::to_string)
    }

    #[test]
    fn wino_point_fills_form() {
        let (spectrum, form) = fill_form(&texts(PMSSM_DEFAULTS)).expect("default point is valid");
        let chargino: f64 = form[Column::MChi1pm.index()].parse().unwrap();
        let neutralino: f64 = form[Column::MChi20.index()].parse().unwrap();
        // A wino-like χ̃±₁ and χ̃⁰₂ lie within a few GeV of M₂ at tree level.
        assert!((chargino - 400.0).abs() < 10.0, "m_chi1pm = {chargino}");
        assert!((neutralino.abs() - 400.0).abs() < 10.0, "m_chi20 = {neutralino}");
        assert!(form[Column::U11.index()].parse::<f64>().unwrap().abs() > 0.99, "U11 = {}", form[0]);
        assert!(form[Column::N22.index()].parse::<f64>().unwrap().abs() > 0.99, "N22 = {}", form[5]);
        assert_eq!(form[Column::MGluino.index()], "3000");
        assert_eq!(form[Column::M1000002.index()], spectrum.squark_mass(1000002).unwrap().to_string());
    }

    #[test]
    fn filled_form_reads_back() {
        let (_, form) = fill_form(&texts(["-150", "300", "-800", "25", "1800", "1700", "1600", "2200"])).unwrap();
        let csv = crate::web::form::form_csv(&form);
        let batch = read_input("pmssm", csv.as_bytes(), Default::default()).expect("filled form parses");
        assert!(batch.rows[0].is_ok(), "{:?}", batch.rows[0].as_ref().err());
    }

    #[test]
    fn invalid_parameters_give_messages() {
        let bad_tan_beta = fill_form(&texts(["200", "400", "1500", "-3", "2500", "2500", "2500", "3000"]));
        assert!(bad_tan_beta.unwrap_err().contains("tan β"));
        let not_a_number = fill_form(&texts(["200", "abc", "1500", "10", "2500", "2500", "2500", "3000"]));
        assert!(not_a_number.unwrap_err().contains("'abc' is not a number"));
        let tachyonic = fill_form(&texts(["200", "400", "1500", "10", "0", "2500", "2500", "3000"]));
        assert!(tachyonic.unwrap_err().contains("tachyonic"));
    }
}
