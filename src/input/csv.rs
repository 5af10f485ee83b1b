//! CSV tables with canonical column names.
//!
//! Comma-separated, one header line, columns in any order; columns with
//! other names are ignored, so a scan's own bookkeeping columns can stay in
//! the file. Empty fields are missing values. Blank lines and lines starting
//! with `#` are skipped and do not count as data rows.

use crate::error::{InputError, InputErrorKind, Location};
use crate::input::{validate_record, Point};
use crate::record::{Column, InputRecord};
use crate::slha::{parse_number, MAX_LINE_BYTES};

/// The column layout read from a CSV header; parses the data rows that follow.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvLayout {
    source: String,
    /// The canonical column of each header field, `None` for ignored fields.
    columns: Vec<Option<Column>>,
}

/// Removes one pair of surrounding double quotes and white space.
fn unquote(field: &str) -> &str {
    let field = field.trim();
    field.strip_prefix('"').and_then(|inner| inner.strip_suffix('"')).unwrap_or(field).trim()
}

impl CsvLayout {
    /// Reads the header line (1-based `line`).
    pub fn from_header(source: &str, line: usize, header: &str) -> Result<Self, InputError> {
        let location = Location::source(source).at_line(line);
        let header = crate::slha::strip_bom(header).trim_end_matches('\r');
        let mut columns: Vec<Option<Column>> = Vec::new();
        for (position, field) in header.split(',').enumerate() {
            let column = Column::from_name(unquote(field));
            if let Some(column) = column {
                if let Some(first) = columns.iter().position(|&known| known == Some(column)) {
                    return Err(InputError::new(
                        Location { field: Some(column.name().into()), ..location },
                        InputErrorKind::DuplicateColumn { column: column.name().into(), first: first + 1, second: position + 1 },
                    ));
                }
            }
            columns.push(column);
        }
        if columns.iter().all(Option::is_none) {
            return Err(InputError::new(location, InputErrorKind::NoKnownColumns));
        }
        Ok(CsvLayout { source: source.to_string(), columns })
    }

    /// Returns the canonical columns present in the header.
    pub fn present_columns(&self) -> Vec<Column> {
        self.columns.iter().flatten().copied().collect()
    }

    /// Parses one data row: `row` is its 0-based data-row index and `line`
    /// its 1-based line number.
    pub fn parse_row(&self, row: usize, line: usize, text: &str) -> Result<Point, InputError> {
        let location = Location::source(&self.source).at_line(line);
        let text = text.trim_end_matches('\r');
        if text.len() > MAX_LINE_BYTES {
            return Err(InputError::new(location, InputErrorKind::LineTooLong { length: text.len(), limit: MAX_LINE_BYTES }));
        }
        let fields: Vec<&str> = text.split(',').collect();
        if fields.len() != self.columns.len() {
            return Err(InputError::new(
                location,
                InputErrorKind::RowLength { expected: self.columns.len(), found: fields.len() },
            ));
        }
        let mut record = InputRecord::empty();
        for (field, column) in fields.iter().zip(&self.columns) {
            let Some(column) = column else { continue };
            let field = unquote(field);
            if field.is_empty() {
                continue;
            }
            let value = parse_number(field).map_err(|kind| {
                InputError::new(Location { field: Some(column.name().into()), ..location.clone() }, kind)
            })?;
            record.set(*column, Some(value));
        }
        let locate = |column: Column| Location { field: Some(column.name().into()), ..location.clone() };
        validate_record(&record, &locate)?;
        Ok(Point::from_row(&self.source, row, line, record))
    }
}

/// True for a line that carries no data (blank or a `#` comment).
pub fn is_blank_or_comment(line: &str) -> bool {
    let content = line.trim();
    content.is_empty() || content.starts_with('#')
}

/// Parses a whole CSV text. A bad header, or a header without data rows, is
/// an error of the whole input. A bad data row is an error of that row only.
pub fn parse_csv(source: &str, text: &str) -> Result<Vec<Result<Point, InputError>>, InputError> {
    let part = parse_csv_part(source, text, 0, None)?;
    if part.rows.is_empty() {
        return Err(no_data_rows(source, part.header_line));
    }
    Ok(part.rows)
}

/// Builds the error of a CSV input whose header (1-based `header_line`) has no data rows below it.
pub fn no_data_rows(source: &str, header_line: usize) -> InputError {
    InputError::new(Location::source(source).at_line(header_line), InputErrorKind::NoDataRows)
}

/// Rows of one part of a CSV text, as [`parse_csv_part`] reads them.
#[derive(Debug)]
pub struct CsvPart {
    /// 1-based line of the header in the whole input.
    pub header_line: usize,
    /// Data rows in input order, with 0-based row indices counted from the
    /// part's first data row.
    pub rows: Vec<Result<Point, InputError>>,
}

/// Parses a part of a CSV text that starts at a line boundary: `lines_before`
/// lines of the input precede `text`, so error messages name the lines of
/// the whole input. Without `header`, the part starts the input and its
/// first line that is not blank or a comment is the header. A later part
/// gets the input's header as (1-based line, text). A part without data
/// rows is no error: only the whole input can lack them.
pub fn parse_csv_part(
    source: &str,
    text: &str,
    lines_before: usize,
    header: Option<(usize, &str)>,
) -> Result<CsvPart, InputError> {
    let mut lines = text.split('\n').enumerate().filter(|(_, line)| !is_blank_or_comment(line));
    let (header_line, header) = match header {
        Some(header) => header,
        None => {
            let Some((header_index, header)) = lines.next() else {
                return Err(InputError::new(Location::source(source), InputErrorKind::Empty));
            };
            (lines_before + header_index + 1, header)
        }
    };
    if header.len() > MAX_LINE_BYTES {
        return Err(InputError::new(
            Location::source(source).at_line(header_line),
            InputErrorKind::LineTooLong { length: header.len(), limit: MAX_LINE_BYTES },
        ));
    }
    let layout = CsvLayout::from_header(source, header_line, header)?;
    let rows = lines.enumerate().map(|(row, (index, line))| layout.parse_row(row, lines_before + index + 1, line)).collect();
    Ok(CsvPart { header_line, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_any_order_extra_columns() {
        let layout = CsvLayout::from_header("t.csv", 1, "id,m_chi1pm,\"U11\" ,x").expect("header");
        assert_eq!(layout.present_columns(), vec![Column::MChi1pm, Column::U11]);
        let point = layout.parse_row(0, 2, "7,250.5,-0.9,foo").expect("row");
        assert_eq!(point.record.get(Column::MChi1pm), Some(250.5));
        assert_eq!(point.record.get(Column::U11), Some(-0.9));
        assert_eq!(point.record.get(Column::V11), None);
    }

    #[test]
    fn duplicate_and_unknown_headers() {
        let error = CsvLayout::from_header("t.csv", 1, "U11,V11,U11").expect_err("duplicate");
        assert_eq!(error.to_string(), "t.csv:1: U11: column 'U11' appears twice in the header (columns 1 and 3)");
        let error = CsvLayout::from_header("t.csv", 1, "a;b;c").expect_err("unknown");
        assert!(matches!(error.kind, InputErrorKind::NoKnownColumns));
    }

    #[test]
    fn bad_row_names_line_and_column() {
        let rows = parse_csv("t.csv", "# scan\nU11,m_chi1pm\n\n-0.5,abc\n-0.5,300\n").expect("header");
        assert_eq!(rows.len(), 2);
        let error = rows[0].as_ref().expect_err("text in number field");
        assert_eq!(error.to_string(), "t.csv:4: m_chi1pm: invalid number 'abc': expected a finite decimal number such as 1.25E+03");
        let point = rows[1].as_ref().expect("good row");
        assert_eq!((point.row, point.line), (1, Some(5)));
    }
}
