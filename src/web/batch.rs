//! A batch of uploaded inputs and their predictions, and the exports built
//! from them. Plain Rust without browser types, so the same code is tested
//! natively and runs in the web app.

use crate::input::{read_input, InputFormat, Point, ReadOptions};
use crate::output;
use crate::pair::PAIRS;
use crate::pipeline::WeightSet;
use crate::predict::{predict, Order, PointPrediction};
use crate::record::Column;

/// Outcome of one uploaded file.
#[derive(Debug, Clone)]
pub enum FileOutcome {
    /// The file could not be read as a whole (format, header, encoding).
    Failed(String),
    /// The file was read; bad rows are listed, the good ones predicted.
    Computed(FileResult),
}

/// Predictions of one file.
#[derive(Debug, Clone)]
pub struct FileResult {
    pub format: InputFormat,
    pub predictions: Vec<PointPrediction>,
    /// m(χ̃±₁) and |m(χ̃⁰₂)| in GeV of each prediction's point, for plots.
    pub masses_gev: Vec<(Option<f64>, Option<f64>)>,
    /// Messages of rows that could not be read, with file and line.
    pub row_errors: Vec<String>,
    /// The text of an SLHA file, kept for appending XSECTION blocks.
    pub slha_text: Option<String>,
}

/// A file that was read and awaits its predictions.
#[derive(Debug, Clone)]
pub struct ReadFile {
    pub format: InputFormat,
    pub points: Vec<Point>,
    pub row_errors: Vec<String>,
    pub slha_text: Option<String>,
}

/// Reads one file; an error of the whole file is returned as its message.
pub fn read_file(name: &str, bytes: &[u8]) -> Result<ReadFile, String> {
    let batch = read_input(name, bytes, ReadOptions::default()).map_err(|error| error.to_string())?;
    let mut points: Vec<Point> = Vec::with_capacity(batch.rows.len());
    let mut row_errors = Vec::new();
    for row in batch.rows {
        match row {
            Ok(point) => points.push(point),
            Err(error) => row_errors.push(error.to_string()),
        }
    }
    // The SLHA reader accepted the bytes as UTF-8 text, so this cannot lose data.
    let slha_text = (batch.format == InputFormat::Slha).then(|| String::from_utf8_lossy(bytes).into_owned());
    Ok(ReadFile { format: batch.format, points, row_errors, slha_text })
}

impl ReadFile {
    /// Combines the file with the predictions of its points, in point order.
    pub fn finish(self, predictions: Vec<PointPrediction>) -> FileResult {
        let masses_gev = self.points.iter().map(plot_masses_gev).collect();
        FileResult { format: self.format, predictions, masses_gev, row_errors: self.row_errors, slha_text: self.slha_text }
    }
}

/// Returns m(χ̃±₁) and |m(χ̃⁰₂)| in GeV of a point, the x values of the batch plot.
pub fn plot_masses_gev(point: &Point) -> (Option<f64>, Option<f64>) {
    (point.record.get(Column::MChi1pm), point.record.get(Column::MChi20).map(f64::abs))
}

/// Predicts every point with every pair the weight set covers, LO and NLO,
/// as `deepxs predict` does by default.
pub fn predict_points(weights: &WeightSet, points: &[Point]) -> Vec<PointPrediction> {
    predict(weights, points, &PAIRS, Order::Both)
}

/// Reads and predicts one file.
pub fn compute_file(weights: &WeightSet, name: &str, bytes: &[u8]) -> FileOutcome {
    match read_file(name, bytes) {
        Ok(file) => {
            let predictions = predict_points(weights, &file.points);
            FileOutcome::Computed(file.finish(predictions))
        }
        Err(message) => FileOutcome::Failed(message),
    }
}

/// Predictions of all computed files in the order `deepxs predict` prints
/// them for the same files: tables in file order, then SLHA files in file
/// order (the CLI collects SLHA files and predicts them together at the end).
pub fn export_order<'a>(outcomes: &[&'a FileOutcome]) -> Vec<&'a PointPrediction> {
    let computed = || {
        outcomes.iter().filter_map(|outcome| match outcome {
            FileOutcome::Computed(result) => Some(result),
            FileOutcome::Failed(_) => None,
        })
    };
    let tables = computed().filter(|result| result.format != InputFormat::Slha);
    let slha = computed().filter(|result| result.format == InputFormat::Slha);
    tables.chain(slha).flat_map(|result| result.predictions.iter()).collect()
}

/// Builds the CSV export: byte for byte what `deepxs predict --format csv` (with
/// `--uncertainty` when asked) writes for the same files.
pub fn export_csv(outcomes: &[&FileOutcome], with_uncertainty: bool) -> String {
    let header = if with_uncertainty { output::CSV_HEADER_WITH_UNCERTAINTY } else { output::CSV_HEADER };
    let predictions: Vec<PointPrediction> = export_order(outcomes).into_iter().cloned().collect();
    format!("{header}\n{}", output::csv_rows(&predictions, with_uncertainty))
}

/// Builds the JSON export, laid out as `deepxs predict --format json` writes it.
pub fn export_json(outcomes: &[&FileOutcome]) -> String {
    let mut text = String::from("[");
    for (index, point) in export_order(outcomes).into_iter().enumerate() {
        let separator = if index > 0 { "," } else { "" };
        let value = serde_json::to_string_pretty(&output::json(std::slice::from_ref(point))[0]).unwrap_or_default();
        text.push_str(&format!("{separator}\n{value}"));
    }
    text.push_str("\n]\n");
    text
}

/// Returns the SLHA text of a computed SLHA file with XSECTION blocks for LO and NLO
/// appended, as `deepxs predict --write-xsection` writes the file. `None`
/// for tables, failed files and points without a valid pair.
pub fn slha_with_xsection(outcome: &FileOutcome) -> Option<String> {
    let FileOutcome::Computed(result) = outcome else { return None };
    let text = result.slha_text.as_ref()?;
    let point = result.predictions.first()?;
    let values = output::xsection_values(point, Order::Both);
    if values.is_empty() {
        return None;
    }
    Some(crate::xsection::append_to_slha(text, &values, crate::xsection::PROGRAM, crate::VERSION))
}

/// Cross-section unit shown in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    #[default]
    Picobarn,
    Femtobarn,
}

impl Unit {
    /// Factor from pb to this unit.
    pub fn per_picobarn(self) -> f64 {
        match self {
            Unit::Picobarn => 1.0,
            Unit::Femtobarn => 1000.0,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Picobarn => "pb",
            Unit::Femtobarn => "fb",
        }
    }
}

/// Formats a cross section in pb for display in `unit` with four
/// significant digits, or a dash when there is none.
pub fn format_sigma(sigma_pb: Option<f64>, unit: Unit) -> String {
    match sigma_pb {
        Some(value) => format!("{:.3e}", value * unit.per_picobarn()),
        None => "–".to_string(),
    }
}
