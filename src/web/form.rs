//! The typed-spectrum form: its field groups, per-field validation and
//! presets. Plain Rust, tested natively.

use crate::record::{Column, COLUMNS, SQUARK_COLUMNS};

/// Field groups in display order, with a heading each.
pub const FIELD_GROUPS: [(&str, &[Column]); 5] = [
    ("Chargino mixing (row 1 of U and V)", &[Column::U11, Column::U12, Column::V11, Column::V12]),
    ("Neutralino mixing (row 2 of N)", &[Column::N21, Column::N22, Column::N23, Column::N24]),
    ("Electroweakino masses", &[Column::MChi20, Column::MChi1pm]),
    ("Squark masses", &SQUARK_COLUMNS),
    ("Gluino", &[Column::MGluino]),
];

/// Label of a field for people, with its SLHA meaning.
pub fn field_label(column: Column) -> String {
    match column {
        Column::MChi20 => "m(χ̃⁰₂), signed".to_string(),
        Column::MChi1pm => "m(χ̃±₁)".to_string(),
        Column::MGluino => "m(g̃)".to_string(),
        column if column.is_mass() => format!("m({})", squark_name(column)),
        column => column.slha_source(),
    }
}

fn squark_name(column: Column) -> &'static str {
    match column {
        Column::M1000001 => "d̃_L",
        Column::M2000001 => "d̃_R",
        Column::M2000002 => "ũ_R",
        Column::M1000002 => "ũ_L",
        Column::M1000003 => "s̃_L",
        Column::M2000003 => "s̃_R",
        Column::M1000004 => "c̃_L",
        Column::M2000004 => "c̃_R",
        _ => "",
    }
}

/// Unit shown next to a field: GeV for masses, none for mixing elements.
pub fn field_unit(column: Column) -> &'static str {
    if column.is_mass() {
        "GeV"
    } else {
        ""
    }
}

/// Checks one typed value as the input readers do and returns the number,
/// or a message for the field.
pub fn validate_field(column: Column, text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("required".to_string());
    }
    let value: f64 = trimmed.parse().map_err(|_| format!("'{trimmed}' is not a number"))?;
    if !value.is_finite() {
        return Err("must be a finite number".to_string());
    }
    if !column.is_mass() {
        if value.abs() > crate::input::MAX_MIXING_ELEMENT {
            return Err("a mixing-matrix element lies in [-1, 1]".to_string());
        }
    } else if value.abs() > crate::input::MAX_MASS_GEV {
        return Err(format!("above {:e} GeV; check the unit (GeV)", crate::input::MAX_MASS_GEV));
    } else if column != Column::MChi20 && value <= 0.0 {
        return Err("must be positive".to_string());
    }
    Ok(value)
}

/// Writes the form's values as a one-row CSV table with the canonical header, so
/// the typed spectrum goes through the same reader as an uploaded table.
pub fn form_csv(texts: &[String; 19]) -> String {
    let header: Vec<&str> = COLUMNS.iter().map(|column| column.name()).collect();
    let values: Vec<&str> = texts.iter().map(|text| text.trim()).collect();
    format!("{}\n{}\n", header.join(","), values.join(","))
}

/// A labelled example point for the form.
pub struct Preset {
    pub label: &'static str,
    /// The 19 inputs in canonical order (masses in GeV).
    pub values: [f64; 19],
}

/// Hand-made benchmark points, one per character of χ̃±₁ and χ̃⁰₂. They are
/// written for illustration with unit-norm mixing rows and squarks and
/// gluino at 2.5 to 3 TeV; they are not the output of a spectrum generator.
pub const PRESETS: [Preset; 3] = [
    Preset {
        label: "Wino-like χ̃±₁ and χ̃⁰₂ at 400 GeV (bino-like LSP)",
        values: [
            0.995, -0.0999, 0.998, -0.0632, 0.0150, 0.9940, -0.0980, 0.0450, 400.0, 400.5, 2500.0, 2480.0, 2470.0,
            2495.0, 2500.0, 2480.0, 2495.0, 2470.0, 3000.0,
        ],
    },
    Preset {
        label: "Higgsino-like χ̃±₁ and χ̃⁰₂ near 300 GeV",
        values: [
            0.0600, 0.9982, 0.0400, 0.9992, 0.0200, 0.0500, 0.7050, -0.7060, -305.0, 302.0, 2800.0, 2790.0, 2785.0,
            2795.0, 2800.0, 2790.0, 2795.0, 2785.0, 2900.0,
        ],
    },
    Preset {
        label: "Bino-like χ̃⁰₂ at 600 GeV, wino-like χ̃±₁ at 300 GeV",
        values: [
            0.9980, -0.0632, 0.9990, -0.0447, 0.9950, -0.0500, 0.0800, -0.0300, 600.0, 300.0, 2600.0, 2590.0, 2585.0,
            2595.0, 2600.0, 2590.0, 2595.0, 2585.0, 2700.0,
        ],
    },
];

/// Returns the texts of a preset, printed as they would be typed.
pub fn preset_texts(preset: &Preset) -> [String; 19] {
    preset.values.map(|value| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::read_input;

    #[test]
    fn field_rejects_out_of_range() {
        assert!(validate_field(Column::U11, "1.2").is_err());
        assert!(validate_field(Column::MChi1pm, "-10").is_err());
        assert!(validate_field(Column::MGluino, "abc").is_err());
        assert!(validate_field(Column::MGluino, "").is_err());
        assert_eq!(validate_field(Column::MChi20, "-305"), Ok(-305.0));
        assert_eq!(validate_field(Column::N23, " 0.705 "), Ok(0.705));
    }

    #[test]
    fn presets_read_back_unchanged() {
        for preset in &PRESETS {
            let texts = preset_texts(preset);
            for (column, text) in COLUMNS.iter().zip(&texts) {
                assert!(validate_field(*column, text).is_ok(), "{}: {column} = {text}", preset.label);
            }
            let batch = read_input("form", form_csv(&texts).as_bytes(), Default::default()).expect("form CSV parses");
            let point = batch.rows[0].as_ref().expect("preset row is valid");
            let values: Vec<f64> = point.record.values().iter().map(|value| value.expect("all present")).collect();
            assert_eq!(values, preset.values.to_vec(), "{}", preset.label);
        }
    }

    #[test]
    fn preset_mixing_rows_have_unit_norm() {
        let row_norm = |values: &[f64]| values.iter().map(|value| value * value).sum::<f64>().sqrt();
        for preset in &PRESETS {
            let v = &preset.values;
            assert!((row_norm(&v[0..2]) - 1.0).abs() < 2e-3, "{} U row 1", preset.label);
            assert!((row_norm(&v[2..4]) - 1.0).abs() < 2e-3, "{} V row 1", preset.label);
            assert!((row_norm(&v[4..8]) - 1.0).abs() < 2e-3, "{} N row 2", preset.label);
        }
    }
}
