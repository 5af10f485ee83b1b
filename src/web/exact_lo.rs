//! The exact-LO mode: an LHAPDF6 set from picked files, the collider energy
//! and the labels of the 29 pairs. Plain Rust, tested natively.

use crate::physics::{LoCrossSection, LoEngine, Pair, PdfSet};
use crate::spectrum::Spectrum;

/// Default proton–proton collision energy √s in GeV (LHC Run 2).
pub const DEFAULT_SQRT_S_GEV: &str = "13000";

/// Reads an LHAPDF6 set from picked files (name, contents): exactly one
/// `.info` file and the central member `<name>_0000.dat`, where `<name>` is
/// the `.info` file's stem. Other files are ignored. Returns the set and a
/// description for the page.
pub fn pdf_from_files(files: &[(String, Vec<u8>)]) -> Result<(PdfSet, String), String> {
    let infos: Vec<&(String, Vec<u8>)> = files.iter().filter(|(name, _)| name.ends_with(".info")).collect();
    let (info_name, info_bytes) = match infos.as_slice() {
        [single] => *single,
        [] => return Err("no .info file among the chosen files; choose the set's .info file together with its _0000.dat file".into()),
        _ => return Err("several .info files among the chosen files; choose the files of one LHAPDF6 set".into()),
    };
    let stem = info_name.trim_end_matches(".info");
    let data_name = format!("{stem}_0000.dat");
    let Some((_, data_bytes)) = files.iter().find(|(name, _)| *name == data_name) else {
        return Err(format!("{data_name} is not among the chosen files; choose it together with {info_name}"));
    };
    let info = std::str::from_utf8(info_bytes).map_err(|_| format!("{info_name} is not UTF-8 text"))?;
    let data = std::str::from_utf8(data_bytes).map_err(|_| format!("{data_name} is not UTF-8 text"))?;
    let pdf = PdfSet::from_lhapdf_strings(info, data, &data_name).map_err(|error| error.to_string())?;
    let mut description = format!("{stem} (member 0)");
    if let Some(id) = pdf.lhapdf_id {
        description.push_str(&format!(", LHAPDF ID {id}"));
    }
    Ok((pdf, description))
}

/// Parses √s in GeV as typed.
pub fn parse_sqrt_s(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let value: f64 = trimmed.parse().map_err(|_| format!("√s: '{trimmed}' is not a number"))?;
    if !(value.is_finite() && value > 0.0) {
        return Err(format!("√s: {trimmed} GeV must be a positive number"));
    }
    Ok(value)
}

/// Computes σ_LO of all 29 pairs of one spectrum at `sqrt_s_gev`.
pub fn all_pairs_lo(pdf: &PdfSet, sqrt_s_gev: f64, spectrum: &Spectrum) -> Result<Vec<LoCrossSection>, String> {
    let engine = LoEngine::new(pdf, sqrt_s_gev).map_err(|error| error.to_string())?;
    engine.cross_sections(spectrum, &Pair::all()).map_err(|error| error.to_string())
}

/// Returns a pair in particle notation, such as χ̃⁰₂χ̃⁺₁ for `n2c1p`.
pub fn pair_label(pair: Pair) -> String {
    const SUBSCRIPTS: [char; 4] = ['₁', '₂', '₃', '₄'];
    match pair {
        Pair::NeutralinoNeutralino(i, j) => format!("χ̃⁰{}χ̃⁰{}", SUBSCRIPTS[i], SUBSCRIPTS[j]),
        Pair::NeutralinoChargino { neutralino, chargino, positive } => {
            let charge = if positive { '⁺' } else { '⁻' };
            format!("χ̃⁰{}χ̃{charge}{}", SUBSCRIPTS[neutralino], SUBSCRIPTS[chargino])
        }
        Pair::CharginoPair(k, l) => format!("χ̃⁺{}χ̃⁻{}", SUBSCRIPTS[k], SUBSCRIPTS[l]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> (String, Vec<u8>) {
        (name.to_string(), text.as_bytes().to_vec())
    }

    #[test]
    fn pdf_files_need_info_and_member_zero() {
        let missing_info = pdf_from_files(&[file("set_0000.dat", "")]).unwrap_err();
        assert!(missing_info.contains("no .info file"), "{missing_info}");
        let missing_data = pdf_from_files(&[file("set.info", "Format: lhagrid1\n"), file("set_0001.dat", "")]).unwrap_err();
        assert!(missing_data.contains("set_0000.dat is not among"), "{missing_data}");
        let two_infos = pdf_from_files(&[file("a.info", ""), file("b.info", "")]).unwrap_err();
        assert!(two_infos.contains("several .info"), "{two_infos}");
        let bad_format = pdf_from_files(&[file("set.info", "Format: lhagrid2\n"), file("set_0000.dat", "")]).unwrap_err();
        assert!(bad_format.contains("not supported"), "{bad_format}");
    }

    #[test]
    fn sqrt_s_must_be_positive() {
        assert_eq!(parse_sqrt_s(" 13000 "), Ok(13000.0));
        assert!(parse_sqrt_s("0").is_err());
        assert!(parse_sqrt_s("-14000").is_err());
        assert!(parse_sqrt_s("13 TeV").unwrap_err().contains("not a number"));
    }

    #[test]
    fn pair_labels_are_distinct() {
        let labels: std::collections::BTreeSet<String> = Pair::all().into_iter().map(pair_label).collect();
        assert_eq!(labels.len(), 29);
        assert_eq!(pair_label(Pair::parse("n2c1p").unwrap()), "χ̃⁰₂χ̃⁺₁");
        assert_eq!(pair_label(Pair::parse("c1c2").unwrap()), "χ̃⁺₁χ̃⁻₂");
        assert_eq!(pair_label(Pair::parse("n1n4").unwrap()), "χ̃⁰₁χ̃⁰₄");
    }
}
