//! The whitespace-separated array files read by the DeepXS batch code.
//!
//! Layouts (those of the DeepXS code, which differ from its manual):
//! 14 columns for χ̃⁺₁χ̃⁻₁ (U11, U12, V11, V12, m_chi1pm, eight squarks,
//! gluino) and for χ̃⁰₂χ̃⁰₂ (N21 … N24, m_chi20, eight squarks, gluino), and
//! 19 columns in the canonical order for χ̃⁰₂χ̃±₁.

use crate::error::{InputError, InputErrorKind, Location};
use crate::input::csv::is_blank_or_comment;
use crate::input::{validate_record, Point};
use crate::record::{Column, InputRecord, COLUMNS, SQUARK_COLUMNS};
use crate::slha::{parse_number, MAX_LINE_BYTES};

/// Column layout of an array file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayLayout {
    /// 14 columns: U11, U12, V11, V12, m_chi1pm, squarks, gluino.
    Chargino,
    /// 14 columns: N21, N22, N23, N24, m_chi20, squarks, gluino.
    Neutralino,
    /// 19 columns in canonical order.
    Full,
}

impl ArrayLayout {
    /// Returns the columns of this layout, in file order.
    pub fn columns(self) -> Vec<Column> {
        let mut columns = match self {
            ArrayLayout::Full => return COLUMNS.to_vec(),
            ArrayLayout::Chargino => vec![Column::U11, Column::U12, Column::V11, Column::V12, Column::MChi1pm],
            ArrayLayout::Neutralino => vec![Column::N21, Column::N22, Column::N23, Column::N24, Column::MChi20],
        };
        columns.extend(SQUARK_COLUMNS);
        columns.push(Column::MGluino);
        columns
    }
}

/// Tolerance on the norm of a mixing row when inferring a 14-column layout.
/// Files print 9 or more significant digits, so 1e-3 separates a unit
/// vector from a chance match with room to spare.
const UNIT_NORM_TOLERANCE: f64 = 1.0e-3;

fn is_unit(components: &[f64]) -> bool {
    (components.iter().map(|x| x * x).sum::<f64>() - 1.0).abs() < UNIT_NORM_TOLERANCE
}

/// Parses an array file. `layout` fixes the layout of 14-column files.
/// Without it the layout is inferred, because chargino rows have unit
/// vectors (U11, U12) and (V11, V12) and neutralino rows a unit (N21 … N24).
pub fn parse_array(source: &str, text: &str, layout: Option<ArrayLayout>) -> Result<Vec<Result<Point, InputError>>, InputError> {
    let mut rows: Vec<(usize, Vec<&str>)> = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        if is_blank_or_comment(line) {
            continue;
        }
        if line.len() > MAX_LINE_BYTES {
            return Err(InputError::new(
                Location::source(source).at_line(index + 1),
                InputErrorKind::LineTooLong { length: line.len(), limit: MAX_LINE_BYTES },
            ));
        }
        rows.push((index + 1, line.split_whitespace().collect()));
    }
    let Some((first_line, first_fields)) = rows.first() else {
        return Err(InputError::new(Location::source(source), InputErrorKind::Empty));
    };
    let width = first_fields.len();
    let layout = match (width, layout) {
        (19, _) => ArrayLayout::Full,
        (14, Some(ArrayLayout::Full)) => {
            return Err(InputError::new(
                Location::source(source).at_line(*first_line),
                InputErrorKind::ArrayColumns { expected: 19, found: 14 },
            ))
        }
        (14, Some(layout)) => layout,
        (14, None) => infer_layout(source, &rows)?,
        (found, _) => {
            return Err(InputError::new(
                Location::source(source).at_line(*first_line),
                InputErrorKind::UnknownFormat {
                    reason: format!("array rows must have 14 or 19 numbers, this one has {found}"),
                },
            ))
        }
    };
    let columns = layout.columns();
    Ok(rows
        .iter()
        .enumerate()
        .map(|(row, (line, fields))| parse_array_row(source, row, *line, fields, &columns))
        .collect())
}

/// Parses one array row: `row` is its 0-based data-row index, `line` its
/// 1-based line and `columns` the layout's columns.
pub fn parse_array_row(source: &str, row: usize, line: usize, fields: &[&str], columns: &[Column]) -> Result<Point, InputError> {
    let location = Location::source(source).at_line(line);
    if fields.len() != columns.len() {
        return Err(InputError::new(location, InputErrorKind::ArrayColumns { expected: columns.len(), found: fields.len() }));
    }
    let mut record = InputRecord::empty();
    for (field, column) in fields.iter().zip(columns) {
        let value = parse_number(field)
            .map_err(|kind| InputError::new(Location { field: Some(column.name().into()), ..location.clone() }, kind))?;
        record.set(*column, Some(value));
    }
    let locate = |column: Column| Location { field: Some(column.name().into()), ..location.clone() };
    validate_record(&record, &locate)?;
    Ok(Point::from_row(source, row, line, record))
}

/// Infers the layout of 14-column rows, given as (line, fields).
pub fn infer_layout(source: &str, rows: &[(usize, Vec<&str>)]) -> Result<ArrayLayout, InputError> {
    // First line that does not fit each layout.
    let (mut chargino_break, mut neutralino_break): (Option<usize>, Option<usize>) = (None, None);
    for (line, fields) in rows {
        let leading: Option<Vec<f64>> = fields.iter().take(4).map(|field| parse_number(field).ok()).collect();
        // Rows with bad numbers are reported by parse_array_row; they do not vote.
        let Some(leading) = leading.filter(|values| values.len() == 4) else { continue };
        if chargino_break.is_none() && !(is_unit(&leading[0..2]) && is_unit(&leading[2..4])) {
            chargino_break = Some(*line);
        }
        if neutralino_break.is_none() && !is_unit(&leading) {
            neutralino_break = Some(*line);
        }
    }
    let location = Location::source(source);
    match (chargino_break, neutralino_break) {
        (None, Some(_)) => Ok(ArrayLayout::Chargino),
        (Some(_), None) => Ok(ArrayLayout::Neutralino),
        // Both fit only for rows of bad numbers, which do not vote: the
        // squared sums of the four leading values differ (2 against 1).
        (None, None) => Err(InputError::new(location, InputErrorKind::AmbiguousLayout {
            reason: "14-column array rows fit both the χ̃⁺₁χ̃⁻₁ layout (U11 U12 V11 V12 …) and the χ̃⁰₂χ̃⁰₂ layout (N21 … N24 …); select one with --pairs c1c1 or --pairs n2n2".into(),
        })),
        // The later of the two lines is the first row that no layout fits
        // together with the rows above it.
        (Some(chargino_line), Some(neutralino_line)) => Err(InputError::new(location.at_line(chargino_line.max(neutralino_line)), InputErrorKind::AmbiguousLayout {
            reason: "14-column array rows fit neither the χ̃⁺₁χ̃⁻₁ layout (unit rows U11 U12 and V11 V12) nor the χ̃⁰₂χ̃⁰₂ layout (unit row N21 … N24); check the column order".into(),
        })),
    }
}
