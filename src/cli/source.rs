//! Reading inputs from files and standard input.
//!
//! SLHA files are read whole. CSV and array inputs stream in chunks of
//! [`CHUNK_ROWS`] rows, so a long table on standard input needs memory for
//! one chunk only.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;

use deepxs::error::{InputError, InputErrorKind, Location};
use deepxs::input::{
    detect_format, infer_layout, is_blank_or_comment, parse_array_row, parse_slha, ArrayLayout, CsvLayout, InputFormat,
    Point, ReadOptions,
};

/// Rows per chunk of a streamed table.
pub const CHUNK_ROWS: usize = 16_384;

/// One input named on the command line.
#[derive(Debug, Clone, PartialEq)]
pub enum InputSource {
    File(PathBuf),
    Stdin,
}

impl InputSource {
    /// Returns the name used in messages and in the `source` output column.
    pub fn name(&self) -> String {
        match self {
            InputSource::File(path) => path.display().to_string(),
            InputSource::Stdin => "-".to_string(),
        }
    }
}

/// Turns the command-line arguments into inputs: `-` is standard input, a
/// directory stands for its regular, non-hidden files in name order.
/// Arguments that name nothing readable are returned as messages.
pub fn expand_inputs(arguments: &[String]) -> (Vec<InputSource>, Vec<String>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for argument in arguments {
        if argument == "-" {
            sources.push(InputSource::Stdin);
            continue;
        }
        let path = PathBuf::from(argument);
        match std::fs::metadata(&path) {
            Ok(metadata) if metadata.is_dir() => match std::fs::read_dir(&path) {
                Ok(entries) => {
                    let mut files: Vec<PathBuf> = entries
                        .filter_map(Result::ok)
                        .filter(|entry| !entry.file_name().to_string_lossy().starts_with('.'))
                        .map(|entry| entry.path())
                        .filter(|path| path.is_file())
                        .collect();
                    files.sort();
                    if files.is_empty() {
                        errors.push(format!("{argument}: directory contains no files"));
                    }
                    sources.extend(files.into_iter().map(InputSource::File));
                }
                Err(error) => errors.push(format!("{argument}: cannot list directory: {error}")),
            },
            Ok(_) => sources.push(InputSource::File(path)),
            Err(error) => errors.push(format!("{argument}: {error}")),
        }
    }
    (sources, errors)
}

/// A chunk of points read from one input.
pub struct Chunk {
    pub points: Vec<Result<Point, InputError>>,
    /// The whole text of an SLHA file, for appending XSECTION blocks.
    pub slha_text: Option<String>,
}

/// Reads lines as bytes and counts them.
struct LineReader {
    reader: Box<dyn BufRead>,
    line: usize,
    source: String,
}

impl LineReader {
    /// Reads the next line without its line end; returns `None` at the end of input.
    fn next_line(&mut self) -> Result<Option<String>, InputError> {
        let mut buffer = Vec::new();
        let read = self.reader.read_until(b'\n', &mut buffer).map_err(|error| self.io_error(error))?;
        if read == 0 {
            return Ok(None);
        }
        self.line += 1;
        while buffer.last().is_some_and(|&byte| byte == b'\n' || byte == b'\r') {
            buffer.pop();
        }
        String::from_utf8(buffer).map(Some).map_err(|error| {
            InputError::new(
                Location::source(&self.source).at_line(self.line),
                InputErrorKind::NotUtf8 { offset: error.utf8_error().valid_up_to() },
            )
        })
    }

    fn io_error(&self, error: io::Error) -> InputError {
        InputError::new(
            Location::source(&self.source),
            InputErrorKind::UnknownFormat { reason: format!("read failed: {error}") },
        )
    }
}

/// Reads one input and hands its points to `sink` chunk by chunk. An error
/// of the whole input (unreadable, too large, unknown format, bad header)
/// is returned; row errors travel inside the chunks.
pub fn read_source(
    source: &InputSource,
    options: ReadOptions,
    max_file_bytes: u64,
    sink: &mut dyn FnMut(Chunk),
) -> Result<(), InputError> {
    let name = source.name();
    let reader: Box<dyn BufRead> = match source {
        InputSource::Stdin => Box::new(BufReader::new(io::stdin())),
        InputSource::File(path) => {
            let file = File::open(path).map_err(|error| {
                InputError::new(Location::source(&name), InputErrorKind::UnknownFormat { reason: format!("cannot open: {error}") })
            })?;
            let size = file.metadata().map(|metadata| metadata.len()).unwrap_or(0);
            if size > max_file_bytes {
                return Err(InputError::new(
                    Location::source(&name),
                    InputErrorKind::TooLarge { size, limit: max_file_bytes },
                ));
            }
            Box::new(BufReader::new(file))
        }
    };
    let mut lines = LineReader { reader, line: 0, source: name.clone() };

    // Lines up to and including the first one with content decide the format.
    let mut head = String::new();
    let first = loop {
        match lines.next_line()? {
            None => return Err(InputError::new(Location::source(&name), InputErrorKind::Empty)),
            Some(line) => {
                head.push_str(&line);
                head.push('\n');
                if !is_blank_or_comment(&line) {
                    break line;
                }
            }
        }
    };
    match detect_format(&name, &head)? {
        InputFormat::Slha => {
            let mut rest = Vec::new();
            lines.reader.read_to_end(&mut rest).map_err(|error| lines.io_error(error))?;
            let rest = deepxs::input::decode_utf8(&name, &rest).map_err(|mut error| {
                error.location.line = error.location.line.map(|line| line + lines.line);
                error
            })?;
            let mut text = head;
            text.push_str(rest);
            let point = parse_slha(&name, &text)?;
            sink(Chunk { points: vec![Ok(point)], slha_text: Some(text) });
            Ok(())
        }
        InputFormat::Csv => {
            let header_line = lines.line;
            let layout = CsvLayout::from_header(&name, header_line, &first)?;
            let mut row = 0;
            loop {
                let mut points = Vec::new();
                while points.len() < CHUNK_ROWS {
                    let line = match lines.next_line() {
                        Ok(Some(line)) => line,
                        Ok(None) => break,
                        Err(error) => {
                            points.push(Err(error));
                            continue;
                        }
                    };
                    if is_blank_or_comment(&line) {
                        continue;
                    }
                    points.push(layout.parse_row(row, lines.line, &line));
                    row += 1;
                }
                if points.is_empty() && row == 0 {
                    return Err(InputError::new(Location::source(&name).at_line(header_line), InputErrorKind::NoDataRows));
                }
                if points.is_empty() {
                    return Ok(());
                }
                sink(Chunk { points, slha_text: None });
            }
        }
        InputFormat::Array => {
            let width = first.split_whitespace().count();
            let mut layout = match (width, options.array_layout) {
                (19, _) => Some(ArrayLayout::Full),
                (14, Some(ArrayLayout::Full)) | (14, None) => None,
                (14, Some(layout)) => Some(layout),
                (found, _) => {
                    return Err(InputError::new(
                        Location::source(&name).at_line(lines.line),
                        InputErrorKind::UnknownFormat { reason: format!("array rows must have 14 or 19 numbers, this one has {found}") },
                    ))
                }
            };
            let mut pending = vec![(lines.line, first)];
            let mut row = 0;
            loop {
                while pending.len() < CHUNK_ROWS {
                    match lines.next_line()? {
                        Some(line) if is_blank_or_comment(&line) => {}
                        Some(line) => pending.push((lines.line, line)),
                        None => break,
                    }
                }
                if pending.is_empty() {
                    return Ok(());
                }
                let split: Vec<(usize, Vec<&str>)> =
                    pending.iter().map(|(line, text)| (*line, text.split_whitespace().collect())).collect();
                let chosen = match layout {
                    Some(layout) => layout,
                    None => *layout.insert(infer_layout(&name, &split)?),
                };
                let columns = chosen.columns();
                let points = split
                    .iter()
                    .map(|(line, fields)| {
                        let point = parse_array_row(&name, row, *line, fields, &columns);
                        row += 1;
                        point
                    })
                    .collect();
                sink(Chunk { points, slha_text: None });
                pending.clear();
            }
        }
    }
}
