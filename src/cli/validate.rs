//! `deepxs validate`: accuracy of NLO predictions against a truth table.

use std::collections::BTreeMap;

use deepxs::input::Point;
use deepxs::pair::Pair;
use deepxs::predict::{Order, Status};
use deepxs::truth::{read_truth_table, TruthRow};
use deepxs::validate::{table, PairValidation};

use super::predict::predict_parallel;
use super::{load_weights, unique_pairs, ValidateArgs, EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE};

pub fn run(args: &ValidateArgs) -> i32 {
    let weights = match load_weights(&args.weights) {
        Ok(weights) => weights,
        Err(message) => {
            eprintln!("deepxs: {message}");
            return EXIT_USAGE;
        }
    };
    let rows: Vec<TruthRow> = match read_truth_table(&args.truth, args.truth_column.as_deref(), args.compare_column.as_deref()) {
        Ok(rows) => rows,
        Err(message) => {
            eprintln!("deepxs: {message}");
            return EXIT_SOME_FAILED;
        }
    };
    let pairs = unique_pairs(&args.pairs);
    let points: Vec<Point> = rows.iter().map(|row| row.point.clone()).collect();
    let predictions = predict_parallel(&weights, &points, &pairs, Order::Both);

    // (network σ_NLO, truth, compared σ_NLO) in pb; the last is NaN without
    // a comparison column and then unused.
    let mut values: BTreeMap<Pair, Vec<(f64, f64, f64)>> = BTreeMap::new();
    for (row, prediction) in rows.iter().zip(&predictions) {
        for pair_prediction in &prediction.pairs {
            if row.pair.is_some_and(|pair| pair != pair_prediction.pair) {
                continue;
            }
            if let (Status::Ok, Some(nlo_pb)) = (&pair_prediction.status, pair_prediction.nlo_pb) {
                values.entry(pair_prediction.pair).or_default().push((nlo_pb, row.truth_pb, row.compare_pb.unwrap_or(f64::NAN)));
            }
        }
    }
    let validations: Vec<PairValidation> = values
        .iter()
        .map(|(pair, values)| match &args.compare_column {
            Some(column) => PairValidation::with_comparison(pair.id(), values, column, args.bootstrap),
            None => {
                let network: Vec<(f64, f64)> = values.iter().map(|&(network, truth, _)| (network, truth)).collect();
                PairValidation::from_values(pair.id(), &network)
            }
        })
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&validations).unwrap_or_default());
    } else {
        print!("{}", table(&validations));
    }
    EXIT_OK
}
