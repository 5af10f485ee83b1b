//! The malformed-input corpus under tests/data/bad: every file must give
//! exactly one clear error naming the file and line, or, where the file
//! only lacks entries, a "not computable" status that names them. No file
//! may make a reader panic. Large and pathological inputs are generated
//! here rather than committed.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use deepxs::error::InputErrorKind;
use deepxs::input::{read_input, InputFormat, ReadOptions};
use deepxs::pair::{Pair, PAIRS};
use deepxs::predict::{predict, Order, Status};
use deepxs::slha::MAX_LINE_BYTES;

use common::tiny_weights::tiny_weights;

/// Minimum number of files in the corpus.
const MIN_CORPUS_FILES: usize = 50;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// What one corpus file must produce.
#[derive(Debug)]
enum Expectation {
    /// Exactly one error, whose message contains this text.
    Error(String),
    /// No reader error, and the pair is not computable for every point,
    /// with exactly these missing inputs in this order.
    NotComputable(Pair, Vec<String>),
}

/// Reads tests/data/bad/EXPECTED.tsv: `file<TAB>kind<TAB>expected`, where
/// kind is `error` or `not_computable PAIR`; see the table's first line.
fn expectations() -> Vec<(String, Expectation)> {
    let path = data_dir().join("bad/EXPECTED.tsv");
    let text = std::fs::read_to_string(&path).expect("EXPECTED.tsv is readable");
    let mut table = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        // The expected text is the last field and may itself contain tabs.
        let fields: Vec<&str> = line.splitn(3, '\t').collect();
        let [file, kind, expected] = fields[..] else {
            panic!("EXPECTED.tsv line {}: expected 3 tab-separated fields, found {}", index + 1, fields.len());
        };
        let expectation = match kind.split_once(' ') {
            None if kind == "error" => Expectation::Error(expected.to_string()),
            Some(("not_computable", pair)) => Expectation::NotComputable(
                pair.parse().expect("known pair in EXPECTED.tsv"),
                expected.split(", ").map(str::to_string).collect(),
            ),
            _ => panic!("EXPECTED.tsv line {}: unknown kind '{kind}'", index + 1),
        };
        table.push((file.to_string(), expectation));
    }
    table
}

/// Collects the error messages of one input: the whole-input error, or the
/// errors of single rows in row order.
fn error_messages(file: &str, bytes: &[u8]) -> Vec<String> {
    match read_input(file, bytes, ReadOptions::default()) {
        Err(error) => vec![error.to_string()],
        Ok(batch) => batch.rows.iter().filter_map(|row| row.as_ref().err()).map(ToString::to_string).collect(),
    }
}

/// Checks one corpus file; returns a description of the mismatch, if any.
fn check_file(file: &str, bytes: &[u8], expectation: &Expectation, weights: &deepxs::pipeline::WeightSet) -> Option<String> {
    let errors = error_messages(file, bytes);
    match expectation {
        Expectation::Error(expected) => match &errors[..] {
            [message] if message.contains(expected.as_str()) => None,
            [message] => Some(format!("expected an error containing\n    {expected}\n  got\n    {message}")),
            _ => Some(format!("expected exactly one error containing\n    {expected}\n  got {errors:?}")),
        },
        Expectation::NotComputable(pair, missing) => {
            if !errors.is_empty() {
                return Some(format!("expected no reader error, got {errors:?}"));
            }
            let batch = read_input(file, bytes, ReadOptions::default()).expect("read above");
            let points: Vec<_> = batch.rows.into_iter().map(|row| row.expect("no row errors")).collect();
            let incomplete: Vec<_> =
                points.iter().filter(|point| !point.record.missing(&deepxs::record::COLUMNS).is_empty()).cloned().collect();
            if incomplete.is_empty() {
                return Some("expected a point with missing inputs, found none".into());
            }
            let results = predict(weights, &incomplete, &[*pair], Order::Both);
            let expected = Status::NotComputable { missing: missing.clone().into() };
            results
                .iter()
                .map(|result| &result.pairs[0].status)
                .find(|status| **status != expected)
                .map(|status| format!("expected {expected:?}, got {status:?}"))
        }
    }
}

#[test]
fn corpus_is_complete_and_listed() {
    let table = expectations();
    assert!(table.len() >= MIN_CORPUS_FILES, "only {} corpus files, expected at least {MIN_CORPUS_FILES}", table.len());
    let mut on_disk: Vec<String> = std::fs::read_dir(data_dir().join("bad"))
        .expect("corpus folder")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name != "EXPECTED.tsv")
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = table.iter().map(|(file, _)| file.clone()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "every corpus file needs one line in EXPECTED.tsv");
}

#[test]
fn every_bad_file_gives_expected_error() {
    let weights = tiny_weights();
    let mut failures = Vec::new();
    for (file, expectation) in expectations() {
        let bytes = std::fs::read(data_dir().join("bad").join(&file)).expect("corpus file is readable");
        match catch_unwind(AssertUnwindSafe(|| check_file(&file, &bytes, &expectation, &weights))) {
            Ok(None) => {}
            Ok(Some(mismatch)) => failures.push(format!("{file}: {mismatch}")),
            Err(_) => failures.push(format!("{file}: PANIC")),
        }
    }
    assert!(failures.is_empty(), "{} corpus files failed:\n{}", failures.len(), failures.join("\n"));
}

/// The control files next to the corpus are complete, so every pair must
/// be computed; otherwise the "not computable" checks above prove nothing.
#[test]
fn control_files_predict_every_pair() {
    let weights = tiny_weights();
    for (file, rows) in [("mssm_control.slha", 1), ("control.csv", 2)] {
        let bytes = std::fs::read(data_dir().join("good").join(file)).expect("control file is readable");
        let batch = read_input(file, &bytes, ReadOptions::default()).expect("control file reads");
        let points: Vec<_> = batch.rows.into_iter().map(|row| row.expect("control rows are valid")).collect();
        assert_eq!(points.len(), rows, "{file}");
        for result in predict(&weights, &points, &PAIRS, Order::Both) {
            for prediction in &result.pairs {
                assert_eq!(prediction.status, Status::Ok, "{file} {}", prediction.pair);
                let nlo = prediction.nlo_pb.expect("NLO present");
                assert!(nlo.is_finite(), "{file} {}: NLO {nlo}", prediction.pair);
                assert!(nlo > 0.0, "{file} {}: NLO {nlo}", prediction.pair);
            }
        }
    }
}

/// A batch with bad rows between good ones keeps every good row.
#[test]
fn bad_rows_do_not_hide_good_rows() {
    let control = std::fs::read_to_string(data_dir().join("good/control.csv")).expect("control.csv");
    let mut lines = control.lines();
    let header = lines.next().expect("header");
    let good: Vec<&str> = lines.collect();
    let text = format!("{header}\n{}\nthis,is,junk\n{}\n{}\n", good[0], good[1], good[0].replace("305", "-305"));
    let batch = read_input("mixed.csv", text.as_bytes(), ReadOptions::default()).expect("header is valid");
    let outcome: Vec<bool> = batch.rows.iter().map(Result::is_ok).collect();
    assert_eq!(outcome, [true, false, true, false]);
    let lines: Vec<Option<usize>> = batch.rows.iter().flatten().map(|point| point.line).collect();
    assert_eq!(lines, [Some(2), Some(4)]);
}

/// Pads `prefix` with spaces to `length` bytes, so that only the length of
/// the line is wrong.
fn long_line(prefix: &str, length: usize) -> String {
    format!("{prefix}{}", " ".repeat(length - prefix.len()))
}

#[test]
fn one_megabyte_line_is_rejected() {
    const MEGABYTE: usize = 1 << 20;
    let control = std::fs::read_to_string(data_dir().join("good/mssm_control.slha")).expect("control spectrum");
    let csv = std::fs::read_to_string(data_dir().join("good/control.csv")).expect("control.csv");
    let header = csv.lines().next().expect("header");
    let row = csv.lines().nth(1).expect("row");
    let array_row = row.replace(',', " ");

    let cases: Vec<(&str, String, usize)> = vec![
        // In a block, in a DECAY section that is otherwise skipped, and as
        // a comment: the limit applies to the raw line.
        (
            "in_block.slha",
            control.replacen("BLOCK MASS  # mass\n", &format!("BLOCK MASS  # mass\n{}\n", long_line("  1000039 1.0", MEGABYTE)), 1),
            0,
        ),
        ("in_decay.slha", format!("{control}DECAY 1000024 1.0\n{}\n", long_line("  1.0 2 1 2", MEGABYTE)), 0),
        ("comment.slha", format!("{control}# {}\n", "x".repeat(MEGABYTE)), 0),
        ("first_line.slha", format!("{}\n{control}", long_line("BLOCK MASS", MEGABYTE)), 1),
        ("header.csv", format!("{}\n{row}\n", long_line(header, MEGABYTE)), 1),
        ("row.csv", format!("{header}\n{row}\n{}\n", long_line(row, MEGABYTE)), 3),
        ("row.dat", format!("{array_row}\n{}\n", long_line(&array_row, MEGABYTE)), 2),
        ("first_row.dat", format!("{}\n{array_row}\n", long_line(&array_row, MEGABYTE)), 1),
    ];
    for (file, text, expected_line) in cases {
        let expected_line = if expected_line == 0 {
            text.lines().position(|line| line.len() > MAX_LINE_BYTES).expect("long line") + 1
        } else {
            expected_line
        };
        let result = catch_unwind(|| read_input(file, text.as_bytes(), ReadOptions::default()));
        let batch = result.unwrap_or_else(|_| panic!("{file}: reader panicked"));
        let error = match batch {
            Err(error) => error,
            Ok(batch) => batch.rows.into_iter().find_map(Result::err).unwrap_or_else(|| panic!("{file}: long line accepted")),
        };
        assert!(matches!(error.kind, InputErrorKind::LineTooLong { .. }), "{file}: {error}");
        assert_eq!(error.location.line, Some(expected_line), "{file}: {error}");
        assert!(error.to_string().starts_with(&format!("{file}:{expected_line}: line is")), "{file}: {error}");
    }
}

/// Builds CSV text with `rows` data rows derived from the control file,
/// every mass shifted by a step that repeats every 1000 rows.
fn csv_rows(rows: usize) -> String {
    let control = std::fs::read_to_string(data_dir().join("good/control.csv")).expect("control.csv");
    let mut lines = control.lines();
    let header = lines.next().expect("header");
    let template: Vec<f64> = lines.next().expect("row").split(',').map(|field| field.parse().expect("number")).collect();
    let mut text = String::with_capacity(rows * 200);
    text.push_str(header);
    text.push('\n');
    for row in 0..rows {
        let shift = (row % 1000) as f64 * 0.5;
        let fields: Vec<String> = template
            .iter()
            .enumerate()
            .map(|(column, value)| if column >= 8 { (value + shift.copysign(*value)).to_string() } else { value.to_string() })
            .collect();
        text.push_str(&fields.join(","));
        text.push('\n');
    }
    text
}

fn check_csv_rows(rows: usize) {
    let text = csv_rows(rows);
    let batch = read_input("rows.csv", text.as_bytes(), ReadOptions::default()).expect("header");
    assert_eq!(batch.format, InputFormat::Csv);
    assert_eq!(batch.rows.len(), rows);
    let last = batch.rows.last().expect("rows").as_ref().expect("valid row");
    assert_eq!(last.line, Some(rows + 1));
    assert!(batch.rows.iter().all(Result::is_ok));
}

/// Checks an SLHA file of about `megabytes` MB: the control spectrum and a
/// DECAY section with many channels, which the reader must skip.
fn check_big_slha(megabytes: usize) {
    let control = std::fs::read_to_string(data_dir().join("good/mssm_control.slha")).expect("control spectrum");
    let channel = "     1.00000000E-04    2     1000022        24   # chi_1+ -> chi_10 W+\n";
    let channels = megabytes * (1 << 20) / channel.len();
    let mut text = String::with_capacity(control.len() + channels * channel.len() + 64);
    text.push_str(&control);
    text.push_str("DECAY   1000024     1.0E-01   # chargino width\n");
    for _ in 0..channels {
        text.push_str(channel);
    }
    let batch = read_input("big.slha", text.as_bytes(), ReadOptions::default()).expect("big file reads");
    let point = batch.rows[0].as_ref().expect("valid spectrum");
    assert_eq!(point.record.get(deepxs::record::Column::MChi1pm), Some(305.0));
}

#[test]
fn csv_with_100k_rows_reads_every_row() {
    check_csv_rows(100_000);
}

#[test]
fn slha_of_10_megabytes_reads() {
    check_big_slha(10);
}

/// Too heavy for the normal suite: the text alone is about 2 GB, and every
/// point stays in memory. Run with
/// `cargo test --release --test malformed_corpus -- --ignored`.
#[test]
#[ignore]
fn csv_with_10_million_rows_reads_every_row() {
    check_csv_rows(10_000_000);
}

/// Run with `cargo test --release --test malformed_corpus -- --ignored`.
#[test]
#[ignore]
fn slha_of_100_megabytes_reads() {
    check_big_slha(100);
}
