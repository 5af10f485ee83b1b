//! Labelled points: the 19 canonical inputs and one label per row, read
//! from and written to CSV.

use std::fmt::Write as _;
use std::path::Path;

use super::terms::term_column;
use super::TrainError;
use crate::record::{Column, InputRecord, COLUMNS};

/// Name of the label column in CSV files.
pub const LABEL_COLUMN: &str = "label";

/// Points with labels (σ in pb or K); `labels[i]` belongs to `records[i]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelledSet {
    pub records: Vec<InputRecord>,
    pub labels: Vec<f64>,
    /// The term values of a structured LO network in pb (see
    /// [`super::terms`]), one vector per row, from the columns `term0`,
    /// `term1` …; empty when the file has none.
    pub terms: Vec<Vec<f64>>,
}

impl LabelledSet {
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Returns the rows at `indices`, in that order.
    pub fn subset(&self, indices: &[usize]) -> LabelledSet {
        LabelledSet {
            records: indices.iter().map(|&i| self.records[i]).collect(),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            terms: if self.terms.is_empty() { Vec::new() } else { indices.iter().map(|&i| self.terms[i].clone()).collect() },
        }
    }

    /// CSV text with the 19 canonical columns (empty where missing) and,
    /// when `with_labels`, the label column and the term columns.
    pub fn to_csv(&self, with_labels: bool) -> String {
        let mut text: String = COLUMNS.iter().map(|column| column.name()).collect::<Vec<_>>().join(",");
        let term_count = self.terms.first().map_or(0, Vec::len);
        if with_labels {
            text.push(',');
            text.push_str(LABEL_COLUMN);
            for k in 0..term_count {
                let _ = write!(text, ",{}", term_column(k));
            }
        }
        text.push('\n');
        for (index, record) in self.records.iter().enumerate() {
            let fields: Vec<String> = record.values().iter().map(|value| value.map(|v| format!("{v:?}")).unwrap_or_default()).collect();
            text.push_str(&fields.join(","));
            if with_labels {
                let _ = write!(text, ",{:?}", self.labels.get(index).copied().unwrap_or(f64::NAN));
                for k in 0..term_count {
                    let value = self.terms.get(index).and_then(|terms| terms.get(k)).copied().unwrap_or(f64::NAN);
                    let _ = write!(text, ",{value:?}");
                }
            }
            text.push('\n');
        }
        text
    }

    /// Reads CSV with a header naming canonical columns (in any order; other
    /// columns are ignored) and, optionally, a label column and term columns
    /// `term0` … `termN` (all of them, or none). Without labels the label of
    /// every row is NaN.
    pub fn read_csv(path: &Path) -> Result<Self, TrainError> {
        Self::read_csv_with_label(path, LABEL_COLUMN)
    }

    /// Like [`LabelledSet::read_csv`], with the labels taken from the column
    /// `label_column` (for example a truth column of a test table).
    pub fn read_csv_with_label(path: &Path, label_column: &str) -> Result<Self, TrainError> {
        let text = std::fs::read_to_string(path).map_err(|error| TrainError::io(path, error))?;
        Self::parse_csv_with_label(path, &text, label_column)
    }

    /// See [`LabelledSet::read_csv`]; `path` only names the source in errors.
    pub fn parse_csv(path: &Path, text: &str) -> Result<Self, TrainError> {
        Self::parse_csv_with_label(path, text, LABEL_COLUMN)
    }

    /// See [`LabelledSet::read_csv_with_label`].
    pub fn parse_csv_with_label(path: &Path, text: &str, label_column: &str) -> Result<Self, TrainError> {
        let data_error = |line: usize, detail: String| TrainError::Data { path: path.to_path_buf(), line, detail };
        let mut lines = text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'));
        let (header_index, header) = lines.next().ok_or_else(|| data_error(1, "the file has no header".into()))?;
        let names: Vec<&str> = header.split(',').map(str::trim).collect();
        let columns: Vec<Option<Column>> = names.iter().map(|name| Column::from_name(name)).collect();
        let label = names.iter().position(|name| *name == label_column);
        let mut term_positions = Vec::new();
        while let Some(position) = names.iter().position(|name| *name == term_column(term_positions.len())) {
            term_positions.push(position);
        }
        let is_term = |name: &str| name.strip_prefix("term").is_some_and(|k| k.parse::<usize>().is_ok());
        if let Some(stray) = names.iter().find(|name| is_term(name) && !term_positions.iter().any(|&p| names[p] == **name)) {
            return Err(data_error(
                header_index + 1,
                format!("term column '{stray}' but no '{}'; term columns are numbered from term0 without gaps", term_column(term_positions.len())),
            ));
        }
        if columns.iter().all(Option::is_none) {
            return Err(data_error(header_index + 1, "the header names none of the 19 input columns".into()));
        }

        let mut set = LabelledSet::default();
        for (index, line) in lines {
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            if fields.len() != names.len() {
                return Err(data_error(index + 1, format!("{} fields but the header has {}", fields.len(), names.len())));
            }
            let parse = |position: usize| -> Result<Option<f64>, TrainError> {
                let field = fields[position];
                if field.is_empty() {
                    return Ok(None);
                }
                field.parse::<f64>().map(Some).map_err(|_| data_error(index + 1, format!("'{field}' in column {} is not a number", names[position])))
            };
            let mut record = InputRecord::empty();
            for (position, column) in columns.iter().enumerate() {
                if let Some(column) = column {
                    record.set(*column, parse(position)?);
                }
            }
            let value = match label {
                Some(position) => parse(position)?.unwrap_or(f64::NAN),
                None => f64::NAN,
            };
            if !term_positions.is_empty() {
                let terms = term_positions.iter().map(|&position| Ok(parse(position)?.unwrap_or(f64::NAN))).collect::<Result<Vec<f64>, TrainError>>()?;
                set.terms.push(terms);
            }
            set.records.push(record);
            set.labels.push(value);
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trip() {
        let mut values = [0.0; 19];
        for (index, value) in values.iter_mut().enumerate() {
            *value = index as f64 * 1.5 - 3.25;
        }
        let mut record = InputRecord::from_values(values);
        record.set(Column::MGluino, None);
        let mut set = LabelledSet { records: vec![record, InputRecord::from_values(values)], labels: vec![0.125, 3e-7], terms: Vec::new() };
        let parsed = LabelledSet::parse_csv(Path::new("memory.csv"), &set.to_csv(true)).expect("parses");
        assert_eq!(parsed, set);
        set.terms = vec![vec![1.5e-3, 2.0], vec![7.0, 0.25]];
        let parsed = LabelledSet::parse_csv(Path::new("memory.csv"), &set.to_csv(true)).expect("parses with terms");
        assert_eq!(parsed, set);
    }

    #[test]
    fn term_columns_must_start_at_zero() {
        let error = LabelledSet::parse_csv(Path::new("gap.csv"), "U11,label,term0,term2,termination\n0.5,1,2,3,4\n").expect_err("term1 is missing");
        assert_eq!(error.to_string(), "gap.csv:1: term column 'term2' but no 'term1'; term columns are numbered from term0 without gaps");
    }

    #[test]
    fn bad_number_names_line_and_column() {
        let error = LabelledSet::parse_csv(Path::new("bad.csv"), "U11,label\n0.5,1\nx,2\n").expect_err("invalid");
        assert_eq!(error.to_string(), "bad.csv:3: 'x' in column U11 is not a number");
    }
}
