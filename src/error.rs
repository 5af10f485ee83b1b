//! Typed errors of the library.
//!
//! Every error that comes from user data carries where it happened: the
//! source (a file name, `-` for standard input, or a label the caller chose),
//! the 1-based line, and where it applies the SLHA block and key or the CSV
//! column. The `Display` form reads `source:line: block MASS, key 1000024:
//! message`, so front ends can print it as it is.

use std::fmt;

use thiserror::Error;

/// Where in an input an error was found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// File name or label of the input (`-` for standard input).
    pub source: String,
    /// 1-based line number, if the error belongs to one line.
    pub line: Option<usize>,
    /// SLHA block name (upper case) or CSV column, if known.
    pub field: Option<String>,
    /// SLHA entry key (indices joined by spaces), if known.
    pub key: Option<String>,
}

impl Location {
    /// Creates a location that names only the source.
    pub fn source(source: &str) -> Self {
        Location { source: source.to_string(), ..Default::default() }
    }

    /// Returns a copy with the given 1-based line number.
    pub fn at_line(&self, line: usize) -> Self {
        Location { line: Some(line), ..self.clone() }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        match (&self.field, &self.key) {
            (Some(field), Some(key)) => write!(f, ": {field}, key {key}"),
            (Some(field), None) => write!(f, ": {field}"),
            (None, Some(key)) => write!(f, ": key {key}"),
            (None, None) => Ok(()),
        }
    }
}

/// An input that cannot be used, with its location.
#[derive(Debug, Clone, Error, PartialEq)]
#[error("{location}: {kind}")]
pub struct InputError {
    pub location: Location,
    pub kind: InputErrorKind,
}

impl InputError {
    pub fn new(location: Location, kind: InputErrorKind) -> Self {
        InputError { location, kind }
    }
}

/// What is wrong with an input.
#[derive(Debug, Clone, Error, PartialEq)]
pub enum InputErrorKind {
    #[error("invalid number '{text}': expected a finite decimal number such as 1.25E+03")]
    InvalidNumber { text: String },
    #[error("non-finite number '{text}': NaN, infinities and values beyond ±1.8E+308 are not accepted")]
    NonFinite { text: String },
    #[error("invalid index '{text}': expected an integer")]
    InvalidIndex { text: String },
    #[error("expected {expected} integer indices and one value, found {found} fields")]
    WrongFieldCount { expected: usize, found: usize },
    #[error("block {block} is given twice (first at line {first_line}); keep one of them")]
    DuplicateBlock { block: String, first_line: usize },
    #[error("entry is given twice (first at line {first_line}); keep one of them")]
    DuplicateEntry { first_line: usize },
    #[error("data line outside any block: start it with 'BLOCK <name>' or comment it out with '#'")]
    OutsideBlock,
    #[error("BLOCK line without a block name")]
    MissingBlockName,
    #[error("non-zero imaginary part {value}: complex mixing matrices are not supported")]
    ComplexMixing { value: f64 },
    #[error("NMSSM spectra are not supported ({reason}); deepxs covers the MSSM only")]
    Nmssm { reason: String },
    #[error("the input contains no data")]
    Empty,
    #[error("not valid UTF-8 text near byte {offset}; save the file as UTF-8 or ASCII")]
    NotUtf8 { offset: usize },
    #[error("line is {length} bytes long, more than the limit of {limit} bytes")]
    LineTooLong { length: usize, limit: usize },
    #[error("input is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("unrecognised input format: {reason}")]
    UnknownFormat { reason: String },
    #[error("column '{column}' appears twice in the header (columns {first} and {second})")]
    DuplicateColumn { column: String, first: usize, second: usize },
    #[error("no canonical input column in the header; expected names such as U11, N21, m_chi1pm, m_gluino")]
    NoKnownColumns,
    #[error("the header is not followed by any data row; add one row per point")]
    NoDataRows,
    #[error("row has {found} fields but the header has {expected}")]
    RowLength { expected: usize, found: usize },
    #[error("array row has {found} columns; expected {expected}")]
    ArrayColumns { expected: usize, found: usize },
    #[error("{reason}")]
    AmbiguousLayout { reason: String },
    #[error("{name} = {value} is outside its physical range: {reason}")]
    OutOfRange { name: String, value: f64, reason: String },
}

/// A network set (manifest and weights) that cannot be loaded.
#[derive(Debug, Clone, Error, PartialEq)]
pub enum WeightsError {
    #[error("manifest is not valid: {0}")]
    Manifest(String),
    #[error("network '{name}' not found: {detail}")]
    MissingNetwork { name: String, detail: String },
    #[error("network '{name}' is not a valid safetensors file: {detail}")]
    InvalidTensors { name: String, detail: String },
    #[error("network '{name}': {detail}")]
    Shape { name: String, detail: String },
    #[error("expression '{expression}' is not valid: {detail}")]
    Expression { expression: String, detail: String },
    #[error("no embedded network set in this build; pass a weight directory with a manifest.json")]
    NoEmbeddedWeights,
}
