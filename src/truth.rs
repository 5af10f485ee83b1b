//! Truth tables: σ_NLO values (in pb) from a reference calculation such as
//! Prospino, for points given inline or as SLHA files.
//!
//! Two layouts are read. A table with the canonical input columns carries
//! its points inline. A table with a `file` column names SLHA files, which
//! are looked up next to the table and then in its `slha/` folder. An
//! optional `pair` column restricts a row to one pair, and rows of pairs
//! the networks do not cover are skipped.

use std::path::{Path, PathBuf};

use crate::input::{parse_slha, read_input, Point};
use crate::pair::Pair;

/// Truth columns tried in order when none is given.
pub const DEFAULT_TRUTH_COLUMNS: [&str; 2] = ["nlo_prospino_pb", "nlo_ms_pb"];

/// One truth row: the point, the pair it is for (all pairs when the table
/// has no `pair` column), the truth in pb and, when a comparison column is
/// requested, that column's prediction in pb.
#[derive(Debug, Clone)]
pub struct TruthRow {
    pub point: Point,
    pub pair: Option<Pair>,
    pub truth_pb: f64,
    pub compare_pb: Option<f64>,
}

/// Parses a positive finite cross section in pb. The error names the file,
/// line, column and value, and `kind` names the value ("truth value").
fn parse_cross_section(text: &str, name: &str, line: usize, column: &str, kind: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 => Ok(value),
        _ => Err(format!("{name}:{line}: {column}: invalid {kind} '{text}'; expected a positive cross section in pb")),
    }
}

/// Reads the truth table at `path`. `truth_column` names the column in pb;
/// without it the first of [`DEFAULT_TRUTH_COLUMNS`] present is used.
/// `compare_column` names a column with another prediction in pb (for
/// example DeepXS's `nlo_deepxs_pb`), which every row that is read must
/// then have. Errors name the file, the line and the offending value.
pub fn read_truth_table(path: &Path, truth_column: Option<&str>, compare_column: Option<&str>) -> Result<Vec<TruthRow>, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| format!("{name}: {error}"))?;
    let mut lines = text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'));
    let (_, header) = lines.next().ok_or_else(|| format!("{name}: the file is empty"))?;
    let columns: Vec<&str> = header.split(',').map(str::trim).collect();
    let position = |wanted: &str| columns.iter().position(|column| *column == wanted);
    let truth_column = match truth_column {
        Some(column) => position(column).ok_or_else(|| format!("{name}: no column '{column}' in the header"))?,
        None => DEFAULT_TRUTH_COLUMNS
            .iter()
            .find_map(|column| position(column))
            .ok_or_else(|| format!("{name}: no truth column; expected {} or --truth-column", DEFAULT_TRUTH_COLUMNS.join(" or ")))?,
    };
    let pair_column = position("pair");
    let compare_column = match compare_column {
        Some(column) => Some(position(column).ok_or_else(|| format!("{name}: no comparison column '{column}' in the header"))?),
        None => None,
    };
    let compare = |fields: &[&str], line: usize| -> Result<Option<f64>, String> {
        let Some(column) = compare_column else { return Ok(None) };
        let text = fields.get(column).copied().unwrap_or("").trim();
        parse_cross_section(text, &name, line, columns[column], "comparison value").map(Some)
    };

    let mut rows = Vec::new();
    if let Some(file_column) = position("file") {
        let directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for (index, line) in lines {
            let fields: Vec<&str> = line.split(',').collect();
            let field = |column: usize| fields.get(column).copied().unwrap_or("").trim();
            let truth_text = field(truth_column);
            if truth_text.is_empty() {
                continue;
            }
            let truth_pb = parse_cross_section(truth_text, &name, index + 1, columns[truth_column], "truth value")?;
            let pair = match pair_column {
                Some(column) => match field(column).parse::<Pair>() {
                    Ok(pair) => Some(pair),
                    Err(_) => continue, // pairs the networks do not cover
                },
                None => None,
            };
            let file = field(file_column);
            let candidates = [directory.join(file), directory.join("slha").join(file)];
            let slha_path: &PathBuf = candidates
                .iter()
                .find(|candidate| candidate.is_file())
                .ok_or_else(|| format!("{name}:{}: SLHA file '{file}' not found next to the table or in slha/", index + 1))?;
            let slha_text = std::fs::read_to_string(slha_path).map_err(|error| format!("{}: {error}", slha_path.display()))?;
            let point = parse_slha(&slha_path.display().to_string(), &slha_text).map_err(|error| error.to_string())?;
            let compare_pb = compare(&fields, index + 1)?;
            rows.push(TruthRow { point, pair, truth_pb, compare_pb });
        }
    } else {
        let batch = read_input(&name, text.as_bytes(), Default::default()).map_err(|error| error.to_string())?;
        for ((index, line), point) in lines.zip(batch.rows) {
            let point = point.map_err(|error| error.to_string())?;
            let fields: Vec<&str> = line.split(',').collect();
            let truth_text = fields.get(truth_column).copied().unwrap_or("").trim();
            let truth_pb = parse_cross_section(truth_text, &name, index + 1, columns[truth_column], "truth value")?;
            let pair = pair_column.and_then(|column| fields.get(column)).and_then(|text| text.parse().ok());
            let compare_pb = compare(&fields, index + 1)?;
            rows.push(TruthRow { point, pair, truth_pb, compare_pb });
        }
    }
    Ok(rows)
}
