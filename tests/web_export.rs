//! The web app's exports against the CLI: for the same files, the CSV and
//! JSON exports must be byte for byte what `deepxs predict` prints, and the
//! SLHA download what `--write-xsection` writes.

mod common;

use std::path::Path;
use std::process::Command;

use deepxs::web::batch::{compute_file, export_csv, export_json, slha_with_xsection, FileOutcome};

use common::{reference_dir, reference_weights};

/// Inputs relative to the reference folder: SLHA files around a table, so
/// the CLI's order (tables first, then SLHA files) is exercised.
const INPUTS: [&str; 3] = ["slha/sample_1.spc", "deepxs/testsets/generated_reference.csv", "slha/sample_2.spc"];

fn cli(reference: &Path, arguments: &[&str]) -> String {
    let weights = reference.join("deepxs/networks");
    let output = Command::new(env!("CARGO_BIN_EXE_deepxs"))
        .current_dir(reference)
        .arg("predict")
        .arg("--weights")
        .arg(&weights)
        .args(arguments)
        .output()
        .expect("deepxs runs");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

fn outcomes(reference: &Path) -> Vec<FileOutcome> {
    let weights = reference_weights(reference);
    INPUTS
        .iter()
        .map(|name| compute_file(&weights, name, &std::fs::read(reference.join(name)).expect("input is readable")))
        .collect()
}

#[test]
fn csv_export_equals_cli() {
    let Some(reference) = reference_dir("web CSV export") else { return };
    let outcomes = outcomes(&reference);
    let borrowed: Vec<&FileOutcome> = outcomes.iter().collect();
    let mut arguments = vec!["--format", "csv"];
    arguments.extend(INPUTS);
    assert_eq!(export_csv(&borrowed, false), cli(&reference, &arguments));
    arguments.push("--uncertainty");
    assert_eq!(export_csv(&borrowed, true), cli(&reference, &arguments));
}

#[test]
fn json_export_equals_cli() {
    let Some(reference) = reference_dir("web JSON export") else { return };
    let outcomes = outcomes(&reference);
    let borrowed: Vec<&FileOutcome> = outcomes.iter().collect();
    let mut arguments = vec!["--format", "json"];
    arguments.extend(INPUTS);
    assert_eq!(export_json(&borrowed), cli(&reference, &arguments));
}

#[test]
fn slha_download_equals_write_xsection() {
    let Some(reference) = reference_dir("web SLHA download") else { return };
    let directory = std::env::temp_dir().join(format!("deepxs-web-slha-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("scratch directory");
    let copy = directory.join("sample_1.spc");
    // Written anew rather than copied, so the copy is writable even when the reference file is not.
    std::fs::write(&copy, std::fs::read(reference.join("slha/sample_1.spc")).expect("sample is readable")).expect("copy sample");
    let copy_text = copy.display().to_string();
    cli(&reference, &["--write-xsection", "--format", "csv", &copy_text]);
    let written = std::fs::read_to_string(&copy).expect("rewritten file");

    let weights = reference_weights(&reference);
    let bytes = std::fs::read(reference.join("slha/sample_1.spc")).expect("sample is readable");
    let downloaded = slha_with_xsection(&compute_file(&weights, "sample_1.spc", &bytes)).expect("XSECTION blocks");
    let _ = std::fs::remove_dir_all(&directory);
    assert!(downloaded.contains("XSECTION"), "no XSECTION block in the download");
    assert_eq!(downloaded, written);
}

#[test]
fn broken_file_fails_alone() {
    let Some(reference) = reference_dir("web broken file") else { return };
    let weights = reference_weights(&reference);
    let broken = compute_file(&weights, "broken.slha", b"BLOCK MASS\n 1000024 abc\n");
    let FileOutcome::Failed(message) = &broken else { panic!("a broken SLHA file must fail, got {broken:?}") };
    assert!(message.contains("broken.slha"), "message names the file: {message}");
    let good = compute_file(&weights, "sample_1.spc", &std::fs::read(reference.join("slha/sample_1.spc")).expect("readable"));
    assert!(matches!(good, FileOutcome::Computed(_)));
}
