//! End-to-end tests of the `deepxs` binary with the DeepXS reference
//! networks: the acceptance values, validation statistics, XSECTION
//! writing and exit statuses.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::reference_dir;

fn deepxs(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deepxs")).args(arguments).output().expect("deepxs runs")
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}

fn scratch_dir(name: &str) -> std::path::PathBuf {
    let directory = std::env::temp_dir().join(format!("deepxs-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).expect("scratch directory");
    directory
}

#[test]
fn sample_1_c1c1_json_values() {
    let Some(reference) = reference_dir("cli sample_1") else { return };
    let weights = path_text(&reference.join("deepxs/networks"));
    let sample = path_text(&reference.join("slha/sample_1.spc"));
    let output = deepxs(&["predict", "--weights", &weights, &sample, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let c1c1 = &json[0]["pairs"][0];
    assert_eq!(c1c1["pair"], "c1c1");
    for (field, expected) in [("lo_pb", 1.04018), ("k", 1.28811), ("nlo_pb", 1.33987)] {
        let value = c1c1[field].as_f64().expect("number");
        assert!((value / expected - 1.0).abs() <= 1e-5, "{field}: {value} vs {expected}");
    }
    let codes: Vec<&str> = c1c1["warnings"].as_array().expect("warnings").iter().map(|w| w["code"].as_str().unwrap_or("")).collect();
    assert!(codes.contains(&"neutralino_not_lsp"), "sample_1 has a 91 GeV stau LSP: {codes:?}");
}

fn validation_line(stdout: &str, pair: &str) -> Vec<f64> {
    let line = stdout.lines().find(|line| line.starts_with(pair) && line.contains("σ ≥ σ_exp")).expect("statistics line");
    line.split_whitespace().filter_map(|field| field.parse().ok()).collect()
}

#[test]
fn validate_reproduces_deepxs_table() {
    let Some(reference) = reference_dir("cli validate") else { return };
    let weights = path_text(&reference.join("deepxs/networks"));
    // DeepXS's own statistics for σ ≥ σ_exp: n, MAPE, 68.27/95.45/99.73 % bands, max (percent).
    let cases = [
        ("c1c1", "c1c1_test.csv", [4478.0, 0.091, 0.081, 0.335, 1.098, 3.13]),
        ("n2n2", "n2n2_test.csv", [1081.0, 0.416, 0.281, 1.717, 8.743, 11.55]),
    ];
    for (pair, file, expected) in cases {
        let truth = path_text(&reference.join("deepxs/testsets").join(file));
        // The published DeepXS σ_NLO column, compared on the same rows, must
        // give the same table as the converted networks.
        let output = deepxs(&["validate", "--weights", &weights, "--truth", &truth, "--pairs", pair, "--compare-column", "nlo_deepxs_pb", "--bootstrap", "0"]);
        assert_eq!(output.status.code(), Some(0));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let published = stdout.lines().find(|line| line.contains("nlo_deepxs_pb") && line.contains("σ ≥ σ_exp")).expect("compared line");
        let published: Vec<f64> = published.split_whitespace().filter_map(|field| field.parse().ok()).collect();
        assert!(!stdout.contains("P(network lower)"), "{stdout}");
        for values in [validation_line(&stdout, pair), published] {
            assert_eq!(values[0], expected[0], "{pair} count");
            for (index, name) in ["MAPE", "68.27 %", "95.45 %", "99.73 %", "max"].iter().enumerate() {
                let (value, wanted) = (values[index + 1], expected[index + 1]);
                assert!((value - wanted).abs() <= 0.0051, "{pair} {name}: {value} vs {wanted}");
            }
        }
    }
}

/// The shipped set on the Prospino χ̃⁰₂χ̃±₁ spectra, none of which trains a
/// network: the σ_NLO MAPE where σ ≥ σ_exp stays below 0.26 % (n2c1p) and
/// 0.21 % (n2c1m). DeepXS misses these spectra by 18 % and 32 %.
#[test]
fn shipped_set_meets_n2c1_targets() {
    let Some(reference) = reference_dir("cli shipped n2c1") else { return };
    let truth = path_text(&reference.join("prospino/nlo.csv"));
    let output = deepxs(&["validate", "--weights", "weights", "--truth", &truth, "--pairs", "n2c1p,n2c1m"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    // Measured: 9 rows at 0.202 % and 10 rows at 0.162 %.
    for (pair, rows, target_percent) in [("n2c1p", 9.0, 0.26), ("n2c1m", 10.0, 0.21)] {
        let values = validation_line(&stdout, pair);
        assert_eq!(values[0], rows, "{pair} rows with σ ≥ σ_exp");
        assert!(values[1] < target_percent, "{pair} σ_NLO MAPE {} %, target {target_percent} %", values[1]);
    }
}

#[test]
fn write_xsection_twice_keeps_one_block() {
    let Some(reference) = reference_dir("cli write-xsection") else { return };
    let weights = path_text(&reference.join("deepxs/networks"));
    let directory = scratch_dir("xsection");
    let file = directory.join("sample_1.spc");
    // Written anew, because a copy would keep the read-only mode of the reference file.
    std::fs::write(&file, std::fs::read(reference.join("slha/sample_1.spc")).expect("readable")).expect("write sample");
    let original = std::fs::read_to_string(&file).expect("readable");
    for _ in 0..2 {
        let output = deepxs(&["predict", "--weights", &weights, "--write-xsection", &path_text(&file), "--format", "csv"]);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let written = std::fs::read_to_string(&file).expect("readable");
    assert!(written.starts_with(&original), "bytes before the appended blocks are unchanged");
    assert_eq!(written.matches("XSECTION").count(), 4, "one block per pair");
    assert_eq!(written.matches("deepxs ").count(), 8, "one LO and one NLO line per pair");
    assert!(written.contains("XSECTION  1.30E+04  2212 2212 2 1000024 -1000024\n  0  0  0  1.0E+00  1.0E+00  10042    1.04018E+00  deepxs"));
    assert!(written.contains("  0  1  0  1.0E+00  1.0E+00  10550    1.33987E+00  deepxs"));
    // The file stays readable SLHA with the same inputs.
    let output = deepxs(&["predict", "--weights", &weights, &path_text(&file), "--format", "csv", "--pairs", "c1c1"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains(",0,c1c1,1.04018"));

    // A read-only file is rejected and left alone.
    let read_only = directory.join("read_only.spc");
    std::fs::write(&read_only, &original).expect("write");
    let mut permissions = std::fs::metadata(&read_only).expect("metadata").permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&read_only, permissions).expect("chmod");
    let output = deepxs(&["predict", "--weights", &weights, "--write-xsection", &path_text(&read_only), "--format", "csv"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("the file is read-only"));
    assert_eq!(std::fs::read_to_string(&read_only).expect("readable"), original);
    let _ = std::fs::remove_dir_all(directory);
}

#[test]
fn write_xsection_links_modes_and_races() {
    let Some(reference) = reference_dir("cli safe writes") else { return };
    let weights = path_text(&reference.join("deepxs/networks"));
    let directory = scratch_dir("safe-writes");
    let original = std::fs::read(reference.join("slha/sample_2.spc")).expect("readable");
    let file = directory.join("target.spc");
    std::fs::write(&file, &original).expect("write");

    // Permissions survive the rename.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let link = directory.join("link.spc");
    std::os::unix::fs::symlink(&file, &link).expect("symlink");
    let output = deepxs(&["predict", "--weights", &weights, "--write-xsection", &path_text(&link), "--format", "csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(std::fs::symlink_metadata(&link).expect("link").file_type().is_symlink(), "the link stays a link");
    assert_eq!(std::fs::metadata(&file).expect("file").permissions().mode() & 0o777, 0o640);
    assert!(std::fs::read_to_string(&file).expect("readable").contains("XSECTION"), "the target was written");

    // A dangling link is rejected with a clear message.
    let dangling = directory.join("dangling.spc");
    std::os::unix::fs::symlink(directory.join("missing.spc"), &dangling).expect("symlink");
    let output = deepxs(&["predict", "--weights", &weights, "--write-xsection", &path_text(&dangling)]);
    assert_eq!(output.status.code(), Some(1));

    // Concurrent runs on one file leave one valid file with one block per pair.
    let runs: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_deepxs"))
                .args(["predict", "--weights", &weights, "--write-xsection", &path_text(&file), "--format", "csv"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("deepxs starts")
        })
        .collect();
    for mut run in runs {
        assert!(run.wait().expect("run ends").success());
    }
    let written = std::fs::read_to_string(&file).expect("readable");
    assert!(written.starts_with(std::str::from_utf8(&original).expect("UTF-8")));
    assert_eq!(written.matches("XSECTION").count(), 4, "{written}");
    let leftovers: Vec<_> = std::fs::read_dir(&directory).expect("list").filter_map(Result::ok).filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "no temporary file is left behind");
    let _ = std::fs::remove_dir_all(directory);
}

#[test]
fn mixed_batch_reports_good_files_and_exits_1() {
    let Some(reference) = reference_dir("cli mixed batch") else { return };
    let weights = path_text(&reference.join("deepxs/networks"));
    let directory = scratch_dir("mixed");
    let broken = directory.join("broken.slha");
    std::fs::write(&broken, "BLOCK MASS\n 1000024 abc\n").expect("write");
    let sample = path_text(&reference.join("slha/sample_2.spc"));
    let output = deepxs(&["predict", "--weights", &weights, &path_text(&broken), &sample, "--format", "csv"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stdout.lines().filter(|line| line.contains("sample_2.spc")).count(), 4, "{stdout}");
    assert!(stderr.contains("broken.slha:2: MASS, key 1000024: invalid number 'abc'"), "{stderr}");
    let _ = std::fs::remove_dir_all(directory);
}

#[test]
fn oversized_file_rejected_with_limit() {
    let Some(reference) = reference_dir("cli size limit") else { return };
    let directory = scratch_dir("size-limit");
    let file = directory.join("big.csv");
    let mut text = String::from("U11,m_chi1pm\n");
    while text.len() <= 2 * 1024 * 1024 {
        text.push_str("-0.9,300\n");
    }
    std::fs::write(&file, &text).expect("write");
    let weights = path_text(&reference.join("deepxs/networks"));
    let output = deepxs(&["predict", "--weights", &weights, "--max-file-size", "1", &path_text(&file)]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("big.csv: input is"), "{stderr}");
    assert!(stderr.contains("more than the limit of 1048576 bytes"), "{stderr}");
    let _ = std::fs::remove_dir_all(directory);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(deepxs(&["predict"]).status.code(), Some(2));
    assert_eq!(deepxs(&["predict", "--pairs", "x1x1", "-"]).status.code(), Some(2));
    let output = deepxs(&["predict", "--weights", "/nonexistent-deepxs-weights", "x.slha"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("manifest.json"));
}

/// A truth value that is not a positive number gives an error that names
/// the file, line, column and value.
#[test]
fn validate_rejects_bad_truth_values() {
    let directory = scratch_dir("validate-truth");
    let header = std::fs::read_to_string("tests/data/good/control.csv").expect("fixture");
    let mut lines = header.lines();
    let (columns, row) = (lines.next().expect("header"), lines.next().expect("row"));
    for (value, file) in [("abc", "text.csv"), ("-1", "negative.csv"), ("0", "zero.csv")] {
        let path = directory.join(file);
        std::fs::write(&path, format!("{columns},nlo_prospino_pb\n{row},0.5\n{row},{value}\n")).expect("writable");
        let output = deepxs(&["validate", "--truth", &path_text(&path), "--pairs", "c1c1"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("no embedded") || stderr.contains("No embedded") {
            eprintln!("validate_rejects_bad_truth_values: skipped, no embedded set");
            return;
        }
        assert_eq!(output.status.code(), Some(1), "{file}: {stderr}");
        let expected = format!("{file}:3: nlo_prospino_pb: invalid truth value '{value}'");
        assert!(stderr.contains(&expected), "{file}: {stderr}");
    }
}

/// A CSV input printed as a table has one header line, also at the end of
/// the stream.
#[test]
fn table_of_csv_has_one_header() {
    let output = deepxs(&["predict", "--pairs", "c1c1", "tests/data/good/control.csv"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() && String::from_utf8_lossy(&output.stderr).to_lowercase().contains("no embedded") {
        eprintln!("table_of_csv_has_one_header: skipped, no embedded set");
        return;
    }
    assert_eq!(stdout.lines().filter(|line| line.starts_with("source")).count(), 1, "{stdout}");
}

/// Values written into XSECTION blocks from outside the training domain
/// are named on stderr, because the block itself cannot carry a warning.
#[test]
fn write_xsection_names_doubtful_values() {
    let Some(reference) = reference_dir("cli write-xsection warning") else { return };
    let directory = scratch_dir("xsection-warning");
    let target = directory.join("sample_2.spc");
    std::fs::copy(reference.join("slha/sample_2.spc"), &target).expect("copy");
    let mut permissions = std::fs::metadata(&target).expect("metadata").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&target, permissions).expect("writable copy");
    let weights = path_text(&reference.join("deepxs/networks"));
    let output = deepxs(&["predict", "--weights", &weights, "--write-xsection", &path_text(&target)]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("n2n2 written with a warning: σ ="), "{stderr}");
    assert!(!stderr.contains("c1c1 written with a warning"), "{stderr}");
}

/// `deepxs lo` expands a directory into its files, as `predict` does, and
/// reports an unreadable argument while still computing the rest.
#[test]
fn lo_expands_directories() {
    let Some(reference) = reference_dir("cli lo directory") else { return };
    let pdf = path_text(&reference.join("pdf/cteq6l1"));
    let directory = scratch_dir("lo-directory");
    for name in ["a.slha", "b.slha"] {
        std::fs::copy("tests/data/good/mssm_control.slha", directory.join(name)).expect("copy fixture");
    }
    let output = deepxs(&["lo", "--pdf", &pdf, "--pairs", "c1c1", "--format", "csv", &path_text(&directory), "missing.slha"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stdout.lines().filter(|line| line.contains(",c1c1,")).count(), 2, "{stdout}");
    assert!(stderr.contains("missing.slha: No such file"), "{stderr}");
}

/// `validate --compare-column` scores a second prediction on the same rows
/// and reports, by resampling the rows, how often the network's statistic is
/// the lower one. Two rows with known errors: the network is 1 % and 2.5 %
/// above the truth, the other column 2 % above it at both.
#[test]
fn validate_compares_a_second_column() {
    let predicted = deepxs(&["predict", "--pairs", "c1c1", "--format", "csv", "tests/data/good/control.csv"]);
    if !predicted.status.success() && String::from_utf8_lossy(&predicted.stderr).to_lowercase().contains("no embedded") {
        eprintln!("validate_compares_a_second_column: skipped, no embedded set");
        return;
    }
    let stdout = String::from_utf8_lossy(&predicted.stdout);
    let nlo_pb: Vec<f64> = stdout.lines().skip(1).map(|line| line.split(',').nth(5).expect("nlo_pb").parse().expect("number")).collect();
    assert_eq!(nlo_pb.len(), 2, "{stdout}");
    let control = std::fs::read_to_string("tests/data/good/control.csv").expect("fixture");
    let mut lines = control.lines();
    let header = lines.next().expect("header");
    let rows: Vec<&str> = lines.collect();
    // The table, with `last` in place of the second row's other value when given.
    let table = |last: Option<&str>| {
        let mut text = format!("{header},nlo_prospino_pb,nlo_other_pb\n");
        for (index, ((row, nlo_pb), offset)) in rows.iter().zip(&nlo_pb).zip([0.01, 0.025]).enumerate() {
            let truth_pb = nlo_pb / (1.0 + offset);
            let other = match (index, last) {
                (1, Some(text)) => text.to_string(),
                _ => format!("{:e}", truth_pb * 1.02),
            };
            text.push_str(&format!("{row},{truth_pb:e},{other}\n"));
        }
        text
    };
    let directory = scratch_dir("validate-compare");
    let path = directory.join("truth.csv");
    std::fs::write(&path, table(None)).expect("writable");
    let output = deepxs(&["validate", "--truth", &path_text(&path), "--pairs", "c1c1", "--compare-column", "nlo_other_pb", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let number = |value: &serde_json::Value| value.as_f64().expect("number");
    let network = &json[0]["above"];
    assert!((number(&network["mape_percent"]) - 1.75).abs() < 1e-9, "{network}");
    let comparison = &json[0]["comparison"];
    assert_eq!(comparison["column"], "nlo_other_pb");
    assert_eq!(comparison["resamples"], 1000);
    let other = &comparison["above"]["statistics"];
    assert!((number(&other["mape_percent"]) - 2.0).abs() < 1e-9, "{other}");
    assert!((number(&other["max_percent"]) - 2.0).abs() < 1e-9, "{other}");
    // The network's MAPE is lower unless a resample draws the 2.5 % row
    // twice, with probability 1/4. Its largest error, which on two rows is
    // also its quantile, is lower only when it draws the 1 % row twice.
    let lower = &comparison["above"]["network_lower"];
    assert!((number(&lower["mape"]) - 0.75).abs() < 0.05, "{lower}");
    assert!((number(&lower["quantile"][2]) - 0.25).abs() < 0.05, "{lower}");
    assert!((number(&lower["max"]) - 0.25).abs() < 0.05, "{lower}");
    assert!(comparison["below"].is_null(), "{comparison}");

    // A missing or bad value in the compared column names file, line and value.
    for (value, shown) in [("abc", "'abc'"), ("", "''"), ("-1", "'-1'")] {
        std::fs::write(&path, table(Some(value))).expect("writable");
        let output = deepxs(&["validate", "--truth", &path_text(&path), "--pairs", "c1c1", "--compare-column", "nlo_other_pb"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(&format!("truth.csv:3: nlo_other_pb: invalid comparison value {shown}")), "{stderr}");
    }
    let output = deepxs(&["validate", "--truth", &path_text(&path), "--pairs", "c1c1", "--compare-column", "nlo_deepxs_pb"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("no comparison column 'nlo_deepxs_pb'"), "{}", String::from_utf8_lossy(&output.stderr));
}
