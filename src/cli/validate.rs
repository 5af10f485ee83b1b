//! `deepxs validate`: accuracy of NLO predictions against a truth table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use deepxs::input::{parse_slha, read_input, Point};
use deepxs::pair::Pair;
use deepxs::predict::{Order, Status};
use deepxs::validate::{table, PairValidation};

use super::predict::predict_parallel;
use super::{load_weights, unique_pairs, ValidateArgs, EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE};

/// Truth columns tried in order when none is given.
const DEFAULT_TRUTH_COLUMNS: [&str; 2] = ["nlo_prospino_pb", "nlo_ms_pb"];

/// One truth row: the point, the pairs to compare and the truth in pb.
struct TruthRow {
    point: Point,
    pair: Option<Pair>,
    truth_pb: f64,
}

/// Parses a truth cross section in pb, which must be a positive finite
/// number; the error names the file, line, column and value.
fn parse_truth(text: &str, name: &str, line: usize, column: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 => Ok(value),
        _ => Err(format!("{name}:{line}: {column}: invalid truth value '{text}'; expected a positive cross section in pb")),
    }
}

fn read_truth(args: &ValidateArgs) -> Result<Vec<TruthRow>, String> {
    let path = &args.truth;
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| format!("{name}: {error}"))?;
    let mut lines = text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'));
    let (_, header) = lines.next().ok_or_else(|| format!("{name}: the file is empty"))?;
    let columns: Vec<&str> = header.split(',').map(str::trim).collect();
    let position = |wanted: &str| columns.iter().position(|column| *column == wanted);
    let truth_column = match &args.truth_column {
        Some(column) => position(column).ok_or_else(|| format!("{name}: no column '{column}' in the header"))?,
        None => DEFAULT_TRUTH_COLUMNS
            .iter()
            .find_map(|column| position(column))
            .ok_or_else(|| format!("{name}: no truth column; expected {} or --truth-column", DEFAULT_TRUTH_COLUMNS.join(" or ")))?,
    };
    let pair_column = position("pair");

    let mut rows = Vec::new();
    if let Some(file_column) = position("file") {
        // Rows name SLHA files; look next to the table, then in its slha/ folder.
        let directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for (index, line) in lines {
            let fields: Vec<&str> = line.split(',').collect();
            let field = |column: usize| fields.get(column).copied().unwrap_or("").trim();
            let truth_text = field(truth_column);
            if truth_text.is_empty() {
                continue;
            }
            let truth_pb = parse_truth(truth_text, &name, index + 1, columns[truth_column])?;
            let file = field(file_column);
            let candidates = [directory.join(file), directory.join("slha").join(file)];
            let slha_path: &PathBuf = candidates
                .iter()
                .find(|candidate| candidate.is_file())
                .ok_or_else(|| format!("{name}:{}: SLHA file '{file}' not found next to the table or in slha/", index + 1))?;
            let slha_text = std::fs::read_to_string(slha_path).map_err(|error| format!("{}: {error}", slha_path.display()))?;
            let point = parse_slha(&slha_path.display().to_string(), &slha_text).map_err(|error| error.to_string())?;
            let pair = match pair_column {
                Some(column) => match field(column).parse::<Pair>() {
                    Ok(pair) => Some(pair),
                    Err(_) => continue, // pairs the networks do not cover
                },
                None => None,
            };
            rows.push(TruthRow { point, pair, truth_pb });
        }
    } else {
        let batch = read_input(&name, text.as_bytes(), Default::default()).map_err(|error| error.to_string())?;
        for ((index, line), point) in lines.zip(batch.rows) {
            let point = point.map_err(|error| error.to_string())?;
            let fields: Vec<&str> = line.split(',').collect();
            let truth_text = fields.get(truth_column).copied().unwrap_or("").trim();
            let truth_pb = parse_truth(truth_text, &name, index + 1, columns[truth_column])?;
            let pair = pair_column.and_then(|column| fields.get(column)).and_then(|text| text.parse().ok());
            rows.push(TruthRow { point, pair, truth_pb });
        }
    }
    Ok(rows)
}

pub fn run(args: &ValidateArgs) -> i32 {
    let weights = match load_weights(&args.weights) {
        Ok(weights) => weights,
        Err(message) => {
            eprintln!("deepxs: {message}");
            return EXIT_USAGE;
        }
    };
    let rows = match read_truth(args) {
        Ok(rows) => rows,
        Err(message) => {
            eprintln!("deepxs: {message}");
            return EXIT_SOME_FAILED;
        }
    };
    let pairs = unique_pairs(&args.pairs);
    let points: Vec<Point> = rows.iter().map(|row| row.point.clone()).collect();
    let predictions = predict_parallel(&weights, &points, &pairs, Order::Both);

    let mut values: BTreeMap<Pair, Vec<(f64, f64)>> = BTreeMap::new();
    for (row, prediction) in rows.iter().zip(&predictions) {
        for pair_prediction in &prediction.pairs {
            if row.pair.is_some_and(|pair| pair != pair_prediction.pair) {
                continue;
            }
            if let (Status::Ok, Some(nlo_pb)) = (&pair_prediction.status, pair_prediction.nlo_pb) {
                values.entry(pair_prediction.pair).or_default().push((nlo_pb, row.truth_pb));
            }
        }
    }
    let validations: Vec<PairValidation> =
        values.iter().map(|(pair, values)| PairValidation::from_values(pair.id(), values)).collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&validations).unwrap_or_default());
    } else {
        print!("{}", table(&validations));
    }
    EXIT_OK
}
