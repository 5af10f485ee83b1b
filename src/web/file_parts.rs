//! Splits a large input file at line boundaries into parts that several
//! batch workers read and predict at the same time, and reads one part so
//! that its row errors name the lines of the whole file.
//!
//! Only CSV tables are split: their rows are independent once the header
//! is known, and each part gets the header. Array files stay whole because
//! the layout of 14-column rows is inferred from all rows together, and an
//! SLHA file is a single point.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::input::{decode_utf8_part, detect_format, is_blank_or_comment, parse_csv_part, InputFormat};
use crate::slha::MAX_LINE_BYTES;
use crate::web::batch::{read_file, ReadFile};

/// Maximum number of batch workers the page starts. Each worker loads its
/// own wasm module and copy of the network set, and the page's thread
/// needs a core too, so more workers would add memory for a small gain.
pub const MAX_WORKERS: usize = 4;

/// Position of a part in its file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PartOrigin {
    /// The part is the whole file, read as [`read_file`] reads it.
    #[default]
    Whole,
    /// A part of a CSV table that starts at a line boundary, after
    /// `bytes_before` bytes and `lines_before` lines of the file. Every part
    /// but the first gets the file's header as (1-based line, text).
    Csv { bytes_before: usize, lines_before: usize, header: Option<(usize, String)> },
}

/// One part of a file: its byte range and where it lies in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePart {
    pub range: Range<usize>,
    pub origin: PartOrigin,
}

/// Returns the number of batch workers for a browser that reports
/// `hardware_concurrency` logical cores (`navigator.hardwareConcurrency`,
/// 0 when the browser hides it): one per core, between 1 and [`MAX_WORKERS`].
pub fn worker_count(hardware_concurrency: f64) -> usize {
    if hardware_concurrency.is_finite() && hardware_concurrency >= 1.0 {
        (hardware_concurrency as usize).min(MAX_WORKERS)
    } else {
        1
    }
}

/// Returns the 1-based line, the text and the end offset (after its line
/// break) of a CSV file's header: its first line that is not blank or a
/// comment. Returns `None` when the file is not a CSV table or its start
/// cannot be split safely, because it is not UTF-8 or the header is longer
/// than the reader accepts. The file then goes whole to one worker, which
/// reports any error.
fn csv_header(bytes: &[u8]) -> Option<(usize, String, usize)> {
    let mut start = 0;
    let mut index = 0;
    while start < bytes.len() {
        let end = bytes[start..].iter().position(|&byte| byte == b'\n').map_or(bytes.len(), |position| start + position + 1);
        let line = std::str::from_utf8(&bytes[start..end]).ok()?;
        let line = line.strip_suffix('\n').unwrap_or(line);
        if !is_blank_or_comment(line) {
            if line.len() > MAX_LINE_BYTES || end == bytes.len() {
                return None;
            }
            // The format is decided by the first line with content, so the
            // text up to the header decides it as the whole file would.
            let prefix = std::str::from_utf8(&bytes[..end]).ok()?;
            let format = detect_format("", prefix).ok()?;
            return (format == InputFormat::Csv).then(|| (index + 1, line.to_string(), end));
        }
        start = end;
        index += 1;
    }
    None
}

fn count_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&byte| byte == b'\n').count()
}

/// Splits a file into at most `max_parts` parts of about equal size, each
/// ending after a line break (the last at the end of the file). A CSV
/// table is split after its header; any other file, and a table too short
/// to split, is one [`PartOrigin::Whole`] part.
pub fn split_file(bytes: &[u8], max_parts: usize) -> Vec<FilePart> {
    let whole = vec![FilePart { range: 0..bytes.len(), origin: PartOrigin::Whole }];
    if max_parts < 2 {
        return whole;
    }
    let Some((header_line, header, header_end)) = csv_header(bytes) else { return whole };

    let mut parts = Vec::with_capacity(max_parts);
    let mut start = 0;
    let mut lines_before = 0;
    for index in 1..=max_parts {
        let end = if index == max_parts {
            bytes.len()
        } else {
            let target = (bytes.len() / max_parts * index).max(header_end).max(start);
            match bytes[target..].iter().position(|&byte| byte == b'\n') {
                Some(position) => target + position + 1,
                None => bytes.len(),
            }
        };
        if end <= start {
            continue;
        }
        let header = (!parts.is_empty()).then(|| (header_line, header.clone()));
        parts.push(FilePart { range: start..end, origin: PartOrigin::Csv { bytes_before: start, lines_before, header } });
        lines_before += count_lines(&bytes[start..end]);
        start = end;
        if end == bytes.len() {
            break;
        }
    }
    if parts.len() < 2 {
        return whole;
    }
    parts
}

/// Returns the 1-based line of the header of a split CSV file, from its parts.
pub fn header_line(parts: &[FilePart]) -> Option<usize> {
    parts.iter().find_map(|part| match &part.origin {
        PartOrigin::Csv { header: Some((line, _)), .. } => Some(*line),
        _ => None,
    })
}

/// Reads one part of a file. Row indices count from the part's first data
/// row; the page adds the rows of the parts before it. Errors name the
/// file's lines and byte offsets. A CSV part without data rows is no error.
pub fn read_part(name: &str, bytes: &[u8], origin: &PartOrigin) -> Result<ReadFile, String> {
    let PartOrigin::Csv { bytes_before, lines_before, header } = origin else {
        return read_file(name, bytes);
    };
    let text = decode_utf8_part(name, bytes, *bytes_before, *lines_before).map_err(|error| error.to_string())?;
    let header = header.as_ref().map(|(line, text)| (*line, text.as_str()));
    let part = parse_csv_part(name, text, *lines_before, header).map_err(|error| error.to_string())?;
    let mut points = Vec::with_capacity(part.rows.len());
    let mut row_errors = Vec::new();
    for row in part.rows {
        match row {
            Ok(point) => points.push(point),
            Err(error) => row_errors.push(error.to_string()),
        }
    }
    Ok(ReadFile { format: InputFormat::Csv, points, row_errors, slha_text: None })
}
