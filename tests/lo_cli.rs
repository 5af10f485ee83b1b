//! Exit status of the `lo` subcommand for good and bad input.

use std::path::{Path, PathBuf};

use deepxs::cli_lo::{run_lo, LoArgs, LoFormat};
use deepxs::spectrum::Spectrum;

/// Writes a small generated LHAPDF6 set `test` into a fresh directory.
fn write_pdf_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("deepxs-lo-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let xs: Vec<f64> = (0..60).map(|i| 1e-5 * 1e5_f64.powf(i as f64 / 59.0)).collect();
    let qs = [10.0, 100.0, 1000.0, 10000.0];
    let join = |values: &[f64]| values.iter().map(|v| format!("{v:e}")).collect::<Vec<_>>().join(" ");
    let mut data = format!("Format: lhagrid1\n---\n{}\n{}\n-4 -3 -2 -1 1 2 3 4 21\n", join(&xs), join(&qs));
    for &x in &xs {
        for _ in qs {
            let shape = x.powf(0.4) * (1.0 - x).powi(4);
            data += &join(&[shape; 9]);
            data.push('\n');
        }
    }
    data += "---\n";
    std::fs::write(dir.join("test.info"), "SetIndex: 7\nFormat: lhagrid1\n").unwrap();
    std::fs::write(dir.join("test_0000.dat"), data).unwrap();
    dir
}

fn spectrum() -> Spectrum {
    Spectrum {
        neutralino_mass_gev: [150.0, 310.0, 520.0, 700.0],
        nmix: [
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 0.7071, 0.7071],
            [0.0, 0.0, 0.7071, -0.7071],
        ],
        chargino_mass_gev: [305.0, 705.0],
        umix: [[1.0, 0.0], [0.0, 1.0]],
        vmix: [[1.0, 0.0], [0.0, 1.0]],
        squark_mass_gev: [1500.0; 8],
        gluino_mass_gev: 2000.0,
    }
}

fn args(pdf: &Path, pairs: &str, format: LoFormat) -> LoArgs {
    LoArgs {
        pdf: pdf.to_path_buf(),
        sqrts: 13000.0,
        pairs: pairs.to_string(),
        format,
        write_xsection: false,
        files: vec![PathBuf::from("point.slha")],
    }
}

fn reader(path: &Path) -> Result<Vec<(String, usize, Spectrum)>, String> {
    if path.ends_with("point.slha") {
        Ok(vec![(path.display().to_string(), 1, spectrum())])
    } else {
        Err("no such file".to_string())
    }
}

#[test]
fn every_format_succeeds() {
    let dir = write_pdf_dir("formats");
    for format in [LoFormat::Table, LoFormat::Csv, LoFormat::Json, LoFormat::Slha] {
        assert_eq!(run_lo(&args(&dir, "n2n2,c1c1", format), &reader), 0, "{format:?}");
    }
    assert_eq!(run_lo(&args(&dir, "all", LoFormat::Csv), &reader), 0);
}

#[test]
fn bad_pair_list_is_usage_error() {
    let dir = write_pdf_dir("pairs");
    assert_eq!(run_lo(&args(&dir, "n2n9", LoFormat::Csv), &reader), 2);
}

#[test]
fn missing_pdf_directory_is_usage_error() {
    let missing = std::env::temp_dir().join("deepxs-lo-cli-no-such-directory");
    assert_eq!(run_lo(&args(&missing, "c1c1", LoFormat::Csv), &reader), 2);
}

#[test]
fn unreadable_input_file_fails() {
    let dir = write_pdf_dir("input");
    let mut arguments = args(&dir, "c1c1", LoFormat::Csv);
    arguments.files.push(PathBuf::from("missing.slha"));
    assert_eq!(run_lo(&arguments, &reader), 1);
}

#[test]
fn write_xsection_appends_lo_block() {
    let dir = write_pdf_dir("xsection");
    let file = dir.join("point.slha");
    std::fs::write(&file, "BLOCK MASS\n 1000024 3.05E+02\n").unwrap();
    let mut arguments = args(&dir, "c1c1", LoFormat::Csv);
    arguments.files = vec![file.clone()];
    arguments.write_xsection = true;
    let reader = |path: &Path| -> Result<Vec<(String, usize, Spectrum)>, String> { Ok(vec![(path.display().to_string(), 0, spectrum())]) };
    for _ in 0..2 {
        assert_eq!(run_lo(&arguments, &reader), 0);
    }
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("BLOCK MASS\n 1000024 3.05E+02\nXSECTION  1.30E+04  2212 2212 2 1000024 -1000024\n  0  0  0  1.0E+00  1.0E+00  7    "), "{text}");
    assert_eq!(text.matches("deepxs-lo").count(), 1, "a second run replaces the first block");
}
