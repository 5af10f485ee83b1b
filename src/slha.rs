//! SLHA (SUSY Les Houches Accord 1 and 2) reader and XSECTION writer.
//!
//! The reader splits a file into blocks and keeps, for each data line, its
//! 1-based line number and its text without the comment. Numbers are parsed
//! only when a block is read, so blocks that deepxs does not use (DECAY
//! tables, Yukawa matrices, generator-specific blocks) cost a scan and
//! nothing else, and odd content in them is never an error.
//!
//! Accepted layout: block names in any case, `Q=` or other scale words after
//! the name, `#` comments, blank lines, tabs, CRLF line ends, a UTF-8 byte
//! order mark, Fortran exponents (`1.0D+03`), DECAY and XSECTION sections.
//! Running blocks may repeat at several scales. A block that deepxs reads
//! for a prediction may appear only once, see [`SlhaDocument::unique_block`].

use std::collections::HashMap;

use crate::error::{InputError, InputErrorKind, Location};

/// Maximum line length accepted, in bytes. Real spectrum files have lines under
/// 200 bytes; the limit keeps a corrupt file from being echoed in messages.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// One data line of a block: its 1-based line number and its text with the
/// comment removed and surrounding white space trimmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataLine<'a> {
    pub line: usize,
    pub text: &'a str,
}

/// One `BLOCK` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Block<'a> {
    /// Block name in upper case.
    pub name: String,
    /// 1-based line number of the `BLOCK` line.
    pub line: usize,
    /// Text after the name on the `BLOCK` line, without the comment (for
    /// example `Q= 1.0E+03`).
    pub header: &'a str,
    pub lines: Vec<DataLine<'a>>,
}

/// A parsed SLHA file that borrows its text.
#[derive(Debug, Clone)]
pub struct SlhaDocument<'a> {
    source: String,
    blocks: Vec<Block<'a>>,
    /// Block indices by upper-case name, in file order.
    index: HashMap<String, Vec<usize>>,
}

/// Removes a UTF-8 byte order mark at the start of a text, if present.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Parses a number in SLHA notation: decimal, with `E` or Fortran `D`
/// exponents. Non-finite results (NaN, infinities, overflow such as 1e400)
/// are errors.
pub fn parse_number(text: &str) -> Result<f64, InputErrorKind> {
    let value = if text.contains(['D', 'd']) {
        text.replace(['D', 'd'], "E").parse::<f64>()
    } else {
        text.parse::<f64>()
    };
    match value {
        Ok(value) if value.is_finite() => Ok(value),
        Ok(_) => Err(InputErrorKind::NonFinite { text: shorten(text) }),
        Err(_) => {
            let lower = text.to_ascii_lowercase();
            let words = ["nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"];
            if words.contains(&lower.as_str()) {
                Err(InputErrorKind::NonFinite { text: shorten(text) })
            } else {
                Err(InputErrorKind::InvalidNumber { text: shorten(text) })
            }
        }
    }
}

/// Shortens text quoted in an error message to its first 40 characters and
/// escapes control characters (`\t`, `\0`, `\u{1b}`), so that a corrupt
/// file cannot flood the message or send escape sequences to a terminal.
pub(crate) fn shorten(text: &str) -> String {
    const LIMIT: usize = 40;
    let mut shortened = String::new();
    for character in text.chars().take(LIMIT) {
        if character.is_control() {
            shortened.extend(character.escape_debug());
        } else {
            shortened.push(character);
        }
    }
    if text.chars().nth(LIMIT).is_some() {
        shortened.push('…');
    }
    shortened
}

impl<'a> SlhaDocument<'a> {
    /// Splits `text` into blocks. `source` names the input in errors.
    ///
    /// Errors: a data line before the first block, a `BLOCK` line without a
    /// name, or a line longer than [`MAX_LINE_BYTES`].
    pub fn parse(source: &str, text: &'a str) -> Result<Self, InputError> {
        let text = strip_bom(text);
        let location = Location::source(source);
        let mut blocks: Vec<Block<'a>> = Vec::new();
        // The section a data line belongs to: a block (its index), or a DECAY
        // or XSECTION section whose lines are skipped.
        enum Section {
            None,
            Block(usize),
            Skipped,
        }
        let mut section = Section::None;

        for (index, raw_line) in text.split('\n').enumerate() {
            let line_number = index + 1;
            if raw_line.len() > MAX_LINE_BYTES {
                return Err(InputError::new(
                    location.at_line(line_number),
                    InputErrorKind::LineTooLong { length: raw_line.len(), limit: MAX_LINE_BYTES },
                ));
            }
            let content = match raw_line.find('#') {
                Some(position) => &raw_line[..position],
                None => raw_line,
            };
            let content = content.trim();
            if content.is_empty() {
                continue;
            }

            let keyword_end = content.find(char::is_whitespace).unwrap_or(content.len());
            let keyword = &content[..keyword_end];
            if keyword.eq_ignore_ascii_case("BLOCK") {
                let rest = content[keyword_end..].trim_start();
                let name_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                let name = &rest[..name_end];
                if name.is_empty() {
                    return Err(InputError::new(
                        location.at_line(line_number),
                        InputErrorKind::MissingBlockName,
                    ));
                }
                blocks.push(Block {
                    name: name.to_ascii_uppercase(),
                    line: line_number,
                    header: rest[name_end..].trim(),
                    lines: Vec::new(),
                });
                section = Section::Block(blocks.len() - 1);
            } else if keyword.eq_ignore_ascii_case("DECAY") || keyword.eq_ignore_ascii_case("XSECTION") {
                section = Section::Skipped;
            } else {
                match section {
                    Section::Block(block) => blocks[block].lines.push(DataLine { line: line_number, text: content }),
                    Section::Skipped => {}
                    Section::None => {
                        return Err(InputError::new(location.at_line(line_number), InputErrorKind::OutsideBlock));
                    }
                }
            }
        }

        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        for (position, block) in blocks.iter().enumerate() {
            index.entry(block.name.clone()).or_default().push(position);
        }
        Ok(SlhaDocument { source: source.to_string(), blocks, index })
    }

    /// Name of the input, as given to [`SlhaDocument::parse`].
    pub fn source(&self) -> &str {
        &self.source
    }

    /// All blocks in file order.
    pub fn blocks(&self) -> &[Block<'a>] {
        &self.blocks
    }

    /// All blocks with this name (any case), in file order.
    pub fn blocks_named(&self, name: &str) -> impl Iterator<Item = &Block<'a>> {
        let upper = name.to_ascii_uppercase();
        self.index.get(&upper).into_iter().flatten().map(move |&position| &self.blocks[position])
    }

    /// The block with this name, or `None` if absent. A block given twice is
    /// an error because the values to use would be ambiguous.
    pub fn unique_block(&self, name: &str) -> Result<Option<&Block<'a>>, InputError> {
        let mut found = self.blocks_named(name);
        let first = found.next();
        if let (Some(first), Some(second)) = (first, found.next()) {
            let location = Location {
                field: Some(second.name.clone()),
                ..Location::source(&self.source).at_line(second.line)
            };
            return Err(InputError::new(
                location,
                InputErrorKind::DuplicateBlock { block: second.name.clone(), first_line: first.line },
            ));
        }
        Ok(first)
    }

    /// Reads a block whose entries have `index_count` integer indices and one
    /// number, such as MASS (1 index) or NMIX (2 indices). An entry given
    /// twice is an error. Text after the value (for example a particle
    /// name without `#`) is rejected as a wrong field count.
    pub fn read_numeric_block(&self, block: &Block<'a>, index_count: usize) -> Result<NumericBlock, InputError> {
        let mut entries: HashMap<Vec<i64>, (f64, usize)> = HashMap::new();
        for data in &block.lines {
            let fields: Vec<&str> = data.text.split_whitespace().collect();
            let location = |key: Option<String>| Location {
                field: Some(block.name.clone()),
                key,
                ..Location::source(&self.source).at_line(data.line)
            };
            if fields.len() != index_count + 1 {
                return Err(InputError::new(
                    location(None),
                    InputErrorKind::WrongFieldCount { expected: index_count, found: fields.len() },
                ));
            }
            let mut indices = Vec::with_capacity(index_count);
            for field in &fields[..index_count] {
                match field.parse::<i64>() {
                    Ok(value) => indices.push(value),
                    Err(_) => {
                        return Err(InputError::new(
                            location(None),
                            InputErrorKind::InvalidIndex { text: shorten(field) },
                        ))
                    }
                }
            }
            let key = indices.iter().map(i64::to_string).collect::<Vec<_>>().join(" ");
            let value = parse_number(fields[index_count]).map_err(|kind| InputError::new(location(Some(key.clone())), kind))?;
            if let Some(&(_, first_line)) = entries.get(&indices) {
                return Err(InputError::new(location(Some(key)), InputErrorKind::DuplicateEntry { first_line }));
            }
            entries.insert(indices, (value, data.line));
        }
        Ok(NumericBlock { name: block.name.clone(), line: block.line, entries })
    }

    /// Reads the entry with the given single index of a block as text (for
    /// SPINFO and MODSEL). Repeated entries are allowed and all returned, in
    /// file order, as (line, text after the index).
    pub fn text_entries(&self, name: &str, wanted: i64) -> Vec<(usize, &'a str)> {
        let mut found = Vec::new();
        for block in self.blocks_named(name) {
            for data in &block.lines {
                let mut fields = data.text.splitn(2, char::is_whitespace);
                let index = fields.next().and_then(|text| text.parse::<i64>().ok());
                if index == Some(wanted) {
                    found.push((data.line, fields.next().unwrap_or("").trim()));
                }
            }
        }
        found
    }
}

/// A numeric block read by [`SlhaDocument::read_numeric_block`].
#[derive(Debug, Clone, PartialEq)]
pub struct NumericBlock {
    pub name: String,
    /// 1-based line of the `BLOCK` line.
    pub line: usize,
    /// Values by indices, with the 1-based line of each entry.
    pub entries: HashMap<Vec<i64>, (f64, usize)>,
}

impl NumericBlock {
    /// Value at these indices, if present.
    pub fn get(&self, indices: &[i64]) -> Option<f64> {
        self.entries.get(indices).map(|&(value, _)| value)
    }

    /// Line of the entry at these indices, if present.
    pub fn line_of(&self, indices: &[i64]) -> Option<usize> {
        self.entries.get(indices).map(|&(_, line)| line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_fortran_and_non_finite() {
        assert_eq!(parse_number("1.5D+03"), Ok(1500.0));
        assert_eq!(parse_number("-2.5d-1"), Ok(-0.25));
        assert_eq!(parse_number("1E3"), Ok(1000.0));
        assert!(matches!(parse_number("1e400"), Err(InputErrorKind::NonFinite { .. })));
        assert!(matches!(parse_number("NaN"), Err(InputErrorKind::NonFinite { .. })));
        assert!(matches!(parse_number("-inf"), Err(InputErrorKind::NonFinite { .. })));
        assert!(matches!(parse_number("abc"), Err(InputErrorKind::InvalidNumber { .. })));
    }

    #[test]
    fn quoted_text_escapes_control_characters() {
        assert_eq!(shorten("1.0\u{1b}[2J\t\0"), "1.0\\u{1b}[2J\\t\\0");
        assert_eq!(shorten(&"é".repeat(40)), "é".repeat(40));
        assert_eq!(shorten(&"é".repeat(41)), format!("{}…", "é".repeat(40)));
    }

    #[test]
    fn long_overflowing_number_is_shortened() {
        let digits = format!("1{}", "0".repeat(60_000));
        let Err(InputErrorKind::NonFinite { text }) = parse_number(&digits) else { panic!("expected NonFinite") };
        assert_eq!(text, format!("1{}…", "0".repeat(39)));
    }

    #[test]
    fn blocks_case_bom_crlf_decay() {
        let text = "\u{feff}# header\r\nblock mass # masses\r\n 1000024 2.0D+02 # chi\r\n\tDECAY 1000024 1.0\r\n 1.0 2 3 4\r\nBlock gauge Q= 1.0E+03\r\n 1 0.36\r\nBLOCK GAUGE MLANDAU= 2.0E+03\r\n 1 0.37\r\n";
        let document = SlhaDocument::parse("t.slha", text).expect("valid");
        let mass = document.unique_block("MASS").expect("unique").expect("present");
        assert_eq!(mass.line, 2);
        let values = document.read_numeric_block(mass, 1).expect("numeric");
        assert_eq!(values.get(&[1000024]), Some(200.0));
        assert_eq!(values.line_of(&[1000024]), Some(3));
        assert_eq!(document.blocks_named("gauge").count(), 2);
        assert!(document.unique_block("GAUGE").is_err());
    }

    #[test]
    fn data_before_block_is_error() {
        let error = SlhaDocument::parse("x.slha", "1 2\n").expect_err("invalid");
        assert_eq!(error.to_string(), "x.slha:1: data line outside any block: start it with 'BLOCK <name>' or comment it out with '#'");
    }

    #[test]
    fn duplicate_entry_names_both_lines() {
        let document = SlhaDocument::parse("d.slha", "BLOCK MASS\n 1000024 100\n 1000024 200\n").expect("valid");
        let mass = document.unique_block("MASS").expect("unique").expect("present");
        let error = document.read_numeric_block(mass, 1).expect_err("duplicate");
        assert_eq!(error.to_string(), "d.slha:3: MASS, key 1000024: entry is given twice (first at line 2); keep one of them");
    }
}
