//! SLHA reader: the accepted layouts and the malformed cases of SLHA2
//! files, on the project's own fixture and on texts built here.

use deepxs::error::InputErrorKind;
use deepxs::input::{parse_slha, read_input, InputFormat};
use deepxs::record::Column;

const FIXTURE: &str = include_str!("data/wino_lsp.slha");

#[test]
fn fixture_inputs_extracted() {
    let point = parse_slha("wino_lsp.slha", FIXTURE).expect("fixture parses");
    let record = point.record;
    assert_eq!(record.get(Column::U11), Some(-0.9984));
    assert_eq!(record.get(Column::V12), Some(0.0283));
    assert_eq!(record.get(Column::N21), Some(0.998));
    assert_eq!(record.get(Column::N24), Some(0.031));
    assert_eq!(record.get(Column::MChi20), Some(605.0));
    assert_eq!(record.get(Column::MChi1pm), Some(298.2));
    assert_eq!(record.get(Column::M2000002), Some(2450.0));
    assert_eq!(record.get(Column::MGluino), Some(3000.0));
    let spectrum = point.spectrum.expect("full spectrum present");
    assert_eq!(spectrum.neutralino_mass_gev, [298.0, 605.0, -1503.0, 1506.0]);
    assert_eq!(spectrum.chargino_mass_gev, [298.2, 1505.0]);
    assert_eq!(spectrum.nmix[2][3], 0.707);
    let masses = point.sparticle_masses.expect("masses");
    assert!(masses.iter().all(|&(pdg, _)| pdg != 24), "SM particles are not sparticles");
    assert!(point.generator_errors.is_empty());
}

#[test]
fn layout_variants_give_same_values() {
    let reference = parse_slha("a", FIXTURE).expect("fixture parses").record;
    let crlf = FIXTURE.replace('\n', "\r\n");
    let bom = format!("\u{feff}{FIXTURE}");
    let tabs = FIXTURE.replace("     ", "\t");
    let lower = FIXTURE.replace("Block MASS", "block mass").replace("Block NMIX", "BLOCK nmix");
    let fortran = FIXTURE.replace("E+03", "D+03").replace("E-01", "d-01");
    for (name, text) in [("crlf", crlf), ("bom", bom), ("tabs", tabs), ("lower", lower), ("fortran", fortran)] {
        let batch = read_input(name, text.as_bytes(), Default::default()).expect(name);
        assert_eq!(batch.format, InputFormat::Slha, "{name}");
        let point = batch.rows[0].clone().expect(name);
        assert_eq!(point.record, reference, "{name}");
    }
}

fn error_of(text: &str) -> deepxs::error::InputError {
    parse_slha("bad.slha", text).expect_err("malformed input must be rejected")
}

#[test]
fn duplicate_prediction_block_rejected() {
    let text = format!("{FIXTURE}Block UMIX\n  1  1  -1.0\n");
    let error = error_of(&text);
    assert!(matches!(error.kind, InputErrorKind::DuplicateBlock { .. }));
    assert_eq!(error.location.field.as_deref(), Some("UMIX"));
    assert!(error.to_string().starts_with("bad.slha:65: UMIX: block UMIX is given twice (first at line 53)"), "{error}");
}

#[test]
fn non_finite_values_rejected() {
    for bad in ["NaN", "inf", "-Infinity", "1.0E+400"] {
        let text = FIXTURE.replace("   1000024     2.98200000E+02", &format!("   1000024     {bad}"));
        let error = error_of(&text);
        assert!(matches!(error.kind, InputErrorKind::NonFinite { .. }), "{bad}: {error}");
        assert_eq!(error.location.line, Some(33), "{bad}");
        assert_eq!(error.location.key.as_deref(), Some("1000024"), "{bad}");
    }
}

#[test]
fn text_in_number_field_rejected() {
    let text = FIXTURE.replace("  2  3    -5.30000000E-02", "  2  3    abc");
    let error = error_of(&text);
    assert_eq!(error.to_string(), "bad.slha:43: NMIX, key 2 3: invalid number 'abc': expected a finite decimal number such as 1.25E+03");
}

#[test]
fn wrong_index_count_rejected() {
    let text = FIXTURE.replace("  1  2     5.65000000E-02", "  1     5.65000000E-02");
    let error = error_of(&text);
    assert!(matches!(error.kind, InputErrorKind::WrongFieldCount { expected: 2, found: 2 }), "{error}");
    assert_eq!(error.location.line, Some(55));
}

#[test]
fn complex_mixing_rejected() {
    let text = format!("{FIXTURE}Block IMNMIX\n  1  1  0.0\n  2  3  1.5E-03\n");
    let error = error_of(&text);
    assert!(matches!(error.kind, InputErrorKind::ComplexMixing { .. }));
    assert_eq!(error.location.line, Some(67));
    assert!(error.to_string().contains("complex mixing matrices are not supported"));
    let zero = format!("{FIXTURE}Block IMUMIX\n  1  1  0.0\n");
    assert!(parse_slha("ok.slha", &zero).is_ok(), "all-zero imaginary parts are accepted");
}

#[test]
fn nmssm_rejected() {
    let modsel = FIXTURE.replace("    1    0    # general MSSM", "    1    0\n    3    1    # NMSSM");
    assert!(error_of(&modsel).to_string().contains("NMSSM spectra are not supported"));
    let nmnmix = FIXTURE.replace("Block NMIX", "Block NMNMIX");
    let error = error_of(&nmnmix);
    assert!(matches!(error.kind, InputErrorKind::Nmssm { .. }), "{error}");
}

#[test]
fn generator_error_becomes_warning_text() {
    let text = FIXTURE.replace("     2   1.0         # version number", "     2   1.0\n     4   tachyonic stop");
    let point = parse_slha("flagged.slha", &text).expect("SPINFO 4 is not a read error");
    assert_eq!(point.generator_errors.len(), 1);
    assert!(point.generator_errors[0].contains("tachyonic stop"));
}

#[test]
fn missing_entries_are_none() {
    let text = FIXTURE.replace("  1  1    -9.98400000E-01\n", "");
    let point = parse_slha("partial.slha", &text).expect("missing entries are not read errors");
    assert_eq!(point.record.get(Column::U11), None);
    assert!(point.spectrum.is_none());
    assert_eq!(point.record.missing(&[Column::U11, Column::V11]), vec![Column::U11]);
}

#[test]
fn negative_and_absurd_masses_rejected() {
    let negative = FIXTURE.replace("   1000024     2.98200000E+02", "   1000024    -2.98200000E+02");
    let error = error_of(&negative);
    assert!(matches!(error.kind, InputErrorKind::OutOfRange { .. }), "{error}");
    assert!(error.to_string().starts_with("bad.slha:33: MASS, key 1000024: m_chi1pm = -298.2"), "{error}");
    let absurd = FIXTURE.replace("   1000001     2.50000000E+03", "   1000001     1.0E+30");
    assert!(error_of(&absurd).to_string().contains("m_1000001 = 1000000000000000000000000000000"));
}
