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

    // Per pair: (network σ_NLO, truth) in pb, and the compared σ_NLO of the
    // same rows when a comparison column is read.
    let mut values: BTreeMap<Pair, (Vec<(f64, f64)>, Vec<f64>)> = BTreeMap::new();
    for (row, prediction) in rows.iter().zip(&predictions) {
        for pair_prediction in &prediction.pairs {
            if row.pair.is_some_and(|pair| pair != pair_prediction.pair) {
                continue;
            }
            if let (Status::Ok, Some(nlo_pb)) = (&pair_prediction.status, pair_prediction.nlo_pb) {
                let (network, others) = values.entry(pair_prediction.pair).or_default();
                network.push((nlo_pb, row.truth_pb));
                others.extend(row.compare_pb);
            }
        }
    }
    let validations: Vec<PairValidation> = values
        .iter()
        .map(|(pair, (network, others))| match &args.compare_column {
            Some(column) => PairValidation::with_comparison(pair.id(), network, others, column, args.bootstrap),
            None => PairValidation::from_values(pair.id(), network),
        })
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&validations).unwrap_or_default());
    } else {
        print!("{}", table(&validations));
    }
    EXIT_OK
}
