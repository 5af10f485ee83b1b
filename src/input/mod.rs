//! Input formats: SLHA spectrum files, CSV tables with canonical columns and
//! the whitespace-separated array files of DeepXS. Each is turned into
//! [`Point`]s, and [`detect_format`] recognises the format by content.

mod array;
mod csv;
mod slha;

pub use array::{infer_layout, parse_array, parse_array_row, ArrayLayout};
pub use csv::{is_blank_or_comment, no_data_rows, parse_csv, parse_csv_part, CsvLayout, CsvPart};
pub use slha::parse_slha;

use serde::{Deserialize, Serialize};

use crate::error::{InputError, InputErrorKind, Location};
use crate::record::{Column, InputRecord, COLUMNS};
use crate::spectrum::Spectrum;

/// Largest mass accepted in GeV. Spectra in the pMSSM scans that DeepXS
/// covers stay below 10 TeV; a value beyond 10⁶ GeV is a unit or format
/// mistake rather than a spectrum.
pub const MAX_MASS_GEV: f64 = 1.0e6;

/// Largest |element| accepted for a mixing matrix, allowing for rounding in
/// the last printed digit of an orthogonal matrix.
pub const MAX_MIXING_ELEMENT: f64 = 1.0 + 1.0e-5;

/// One point to predict: the network inputs and the other spectrum data of
/// the input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// File name or label of the input.
    pub source: String,
    /// 0-based data row of a CSV or array input; 0 for an SLHA file.
    pub row: usize,
    /// 1-based line of the row in a CSV or array input; `None` for SLHA.
    pub line: Option<usize>,
    pub record: InputRecord,
    /// Every mass of the SLHA MASS block with a sparticle PDG code, in GeV
    /// (signed as in the file). `None` for tabular inputs, where the LSP
    /// check cannot be made.
    pub sparticle_masses: Option<Vec<(i64, f64)>>,
    /// The full spectrum, when the input has every neutralino, chargino and
    /// mixing entry (SLHA files); used by the exact LO engine.
    pub spectrum: Option<Spectrum>,
    /// Messages of the spectrum generator's error entry (SLHA SPINFO 4).
    pub generator_errors: Vec<String>,
}

impl Point {
    /// Creates a point from a tabular row.
    pub fn from_row(source: &str, row: usize, line: usize, record: InputRecord) -> Self {
        Point {
            source: source.to_string(),
            row,
            line: Some(line),
            record,
            sparticle_masses: None,
            spectrum: None,
            generator_errors: Vec::new(),
        }
    }
}

/// Format of an input, as recognised by [`detect_format`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InputFormat {
    Slha,
    Csv,
    Array,
}

/// Options that steer how an input is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Layout of 14-column array files, when the caller knows it. Without
    /// it, the layout is inferred from the normalisation of the mixing rows.
    pub array_layout: Option<ArrayLayout>,
}

/// Points read from one input. A whole-input error (unreadable header,
/// unknown format) is the `Err` of [`read_input`]; errors of single rows are
/// kept here in row order, so the good rows can still be predicted.
#[derive(Debug, Clone)]
pub struct InputBatch {
    pub format: InputFormat,
    pub rows: Vec<Result<Point, InputError>>,
}

/// True for a line that starts an SLHA `BLOCK` or `DECAY` section.
fn starts_slha_section(line: &str) -> bool {
    let first = line.split_whitespace().next().unwrap_or("");
    first.eq_ignore_ascii_case("BLOCK") || first.eq_ignore_ascii_case("DECAY")
}

/// Tells SLHA, CSV and array inputs apart by their first line that is not
/// blank or a `#` comment. `BLOCK`/`DECAY` starts SLHA and a comma means
/// CSV. A line of numbers means an array file, unless a later line starts
/// an SLHA section.
pub fn detect_format(source: &str, text: &str) -> Result<InputFormat, InputError> {
    let text = crate::slha::strip_bom(text);
    for (index, line) in text.split('\n').enumerate() {
        let content = line.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if starts_slha_section(content) {
            return Ok(InputFormat::Slha);
        }
        if content.contains(',') {
            return Ok(InputFormat::Csv);
        }
        if content.split_whitespace().all(|field| crate::slha::parse_number(field).is_ok()) {
            // An SLHA file with a stray data line above its first block is
            // read as SLHA, so that the error names that line.
            if text.split('\n').skip(index + 1).any(starts_slha_section) {
                return Ok(InputFormat::Slha);
            }
            return Ok(InputFormat::Array);
        }
        let mut reason = format!(
            "line '{}' is neither an SLHA BLOCK line, a CSV header nor a row of numbers",
            crate::slha::shorten(content)
        );
        // A header of canonical names split by another delimiter is a CSV
        // file saved with the wrong separator.
        let names_other_delimiter = content.split([';', '\t']).any(|field| Column::from_name(field.trim().trim_matches('"')).is_some());
        if content.contains([';', '\t']) && names_other_delimiter {
            reason.push_str("; CSV columns must be separated by commas, not semicolons or tabs");
        }
        return Err(InputError::new(
            Location::source(source).at_line(index + 1),
            InputErrorKind::UnknownFormat { reason },
        ));
    }
    Err(InputError::new(Location::source(source), InputErrorKind::Empty))
}

/// Decodes raw bytes as UTF-8, naming the line of the first invalid byte.
pub fn decode_utf8<'a>(source: &str, bytes: &'a [u8]) -> Result<&'a str, InputError> {
    decode_utf8_part(source, bytes, 0, 0)
}

/// Decodes a part of an input as UTF-8. The part starts at a line boundary
/// after `bytes_before` bytes and `lines_before` lines of the input, so the
/// error names the byte offset and line in the whole input.
pub fn decode_utf8_part<'a>(source: &str, bytes: &'a [u8], bytes_before: usize, lines_before: usize) -> Result<&'a str, InputError> {
    std::str::from_utf8(bytes).map_err(|error| {
        let offset = error.valid_up_to();
        let line = lines_before + bytes[..offset].iter().filter(|&&byte| byte == b'\n').count() + 1;
        InputError::new(Location::source(source).at_line(line), InputErrorKind::NotUtf8 { offset: bytes_before + offset })
    })
}

/// Reads one input of any supported format from its bytes.
pub fn read_input(source: &str, bytes: &[u8], options: ReadOptions) -> Result<InputBatch, InputError> {
    let text = decode_utf8(source, bytes)?;
    let format = detect_format(source, text)?;
    let rows = match format {
        InputFormat::Slha => vec![Ok(parse_slha(source, text)?)],
        InputFormat::Csv => parse_csv(source, text)?,
        InputFormat::Array => parse_array(source, text, options.array_layout)?,
    };
    Ok(InputBatch { format, rows })
}

/// Checks the physical range of every present value of a record: mixing
/// elements within [-1, 1] (up to rounding), χ̃±₁, squark and gluino masses positive,
/// and no mass beyond [`MAX_MASS_GEV`]. `locate` gives the location of a column.
pub fn validate_record(record: &InputRecord, locate: &dyn Fn(Column) -> Location) -> Result<(), InputError> {
    for column in COLUMNS {
        let Some(value) = record.get(column) else { continue };
        let reason = if !column.is_mass() {
            (value.abs() > MAX_MIXING_ELEMENT).then(|| "a mixing-matrix element must lie in [-1, 1]".to_string())
        } else if value.abs() > MAX_MASS_GEV {
            Some(format!("masses above {MAX_MASS_GEV:e} GeV are not physical spectra; check the units (GeV)"))
        } else if column != Column::MChi20 && value <= 0.0 {
            Some("this mass must be positive (SLHA2 convention)".to_string())
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(InputError::new(
                locate(column),
                InputErrorKind::OutOfRange { name: column.name().to_string(), value, reason },
            ));
        }
    }
    Ok(())
}
