//! `deepxs predict`.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use deepxs::input::{ArrayLayout, Point, ReadOptions};
use deepxs::checks::Warning;
use deepxs::output;
use deepxs::pair::Pair;
use deepxs::pipeline::WeightSet;
use deepxs::predict::{predict, Order, PointPrediction, Status};

use deepxs::atomic_write::replace_file;
use super::source::{expand_inputs, read_source, InputSource};
use super::{load_weights, unique_pairs, Format, PredictArgs, EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE};

/// Points per parallel work item.
const PARALLEL_CHUNK: usize = 2048;

/// Predicts a batch on all cores.
pub fn predict_parallel(weights: &WeightSet, points: &[Point], pairs: &[Pair], order: Order) -> Vec<PointPrediction> {
    points.par_chunks(PARALLEL_CHUNK).flat_map_iter(|chunk| predict(weights, chunk, pairs, order)).collect()
}

/// Writes formatted results to standard output as they arrive.
struct Printer {
    format: Format,
    order: Order,
    uncertainty: bool,
    wrote_json_item: bool,
    out: io::BufWriter<io::StdoutLock<'static>>,
}

impl Printer {
    fn start(&mut self) -> io::Result<()> {
        match self.format {
            Format::Csv if self.uncertainty => writeln!(self.out, "{}", output::CSV_HEADER_WITH_UNCERTAINTY),
            Format::Csv => writeln!(self.out, "{}", output::CSV_HEADER),
            Format::Json => write!(self.out, "["),
            Format::Table | Format::Slha => Ok(()),
        }
    }

    fn print(&mut self, predictions: &[PointPrediction]) -> io::Result<()> {
        // The stream ends with an empty chunk, which must not print a table header.
        if predictions.is_empty() {
            return Ok(());
        }
        match self.format {
            Format::Csv => self.out.write_all(output::csv_rows(predictions, self.uncertainty).as_bytes()),
            Format::Table => self.out.write_all(output::table(predictions, self.uncertainty).as_bytes()),
            Format::Slha => self.out.write_all(output::slha(predictions, self.order).as_bytes()),
            Format::Json => {
                for point in predictions {
                    let separator = if self.wrote_json_item { "," } else { "" };
                    let value = serde_json::to_string_pretty(&output::json(std::slice::from_ref(point))[0]).unwrap_or_default();
                    write!(self.out, "{separator}\n{value}")?;
                    self.wrote_json_item = true;
                }
                Ok(())
            }
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        if self.format == Format::Json {
            writeln!(self.out, "\n]")?;
        }
        self.out.flush()
    }
}

/// True if a point's result counts as a failure for the exit status: no
/// pair could be computed, or a network gave an invalid number.
fn is_failure(prediction: &PointPrediction) -> bool {
    let invalid = prediction.pairs.iter().any(|pair| matches!(pair.status, Status::Invalid { .. }));
    let none_computed = prediction.pairs.iter().all(|pair| matches!(pair.status, Status::NotComputable { .. }));
    invalid || none_computed
}

pub fn run(args: &PredictArgs) -> i32 {
    let weights = match load_weights(&args.weights) {
        Ok(weights) => weights,
        Err(message) => {
            eprintln!("deepxs: {message}");
            return EXIT_USAGE;
        }
    };
    let pairs = unique_pairs(&args.pairs);
    let order = Order::from(args.order);
    let (sources, argument_errors) = expand_inputs(&args.inputs);
    let mut failures = 0usize;
    for message in &argument_errors {
        eprintln!("deepxs: {message}");
        failures += 1;
    }
    if args.write_xsection && sources.contains(&InputSource::Stdin) {
        eprintln!("deepxs: --write-xsection cannot write to standard input; name the SLHA files instead");
        return EXIT_USAGE;
    }
    let options = ReadOptions {
        array_layout: match pairs[..] {
            [Pair::C1c1] => Some(ArrayLayout::Chargino),
            [Pair::N2n2] => Some(ArrayLayout::Neutralino),
            _ => None,
        },
    };

    let progress = (io::stderr().is_terminal() && sources.len() > 20).then(|| {
        let bar = ProgressBar::new(sources.len() as u64);
        bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} inputs {eta}").unwrap_or_else(|_| ProgressStyle::default_bar()));
        bar
    });
    let mut printer = Printer { format: args.format, order, uncertainty: args.uncertainty, wrote_json_item: false, out: io::BufWriter::new(io::stdout().lock()) };
    let mut io_failed = printer.start().is_err();

    // SLHA files are collected and predicted together; tables go chunk by chunk.
    let mut slha_points: Vec<Point> = Vec::new();
    let mut slha_texts: Vec<(String, String)> = Vec::new();
    let max_bytes = args.max_file_size.saturating_mul(1024 * 1024);
    for source in &sources {
        let mut sink = |chunk: super::source::Chunk| {
            let mut points = Vec::with_capacity(chunk.points.len());
            for point in chunk.points {
                match point {
                    Ok(point) => points.push(point),
                    Err(error) => {
                        eprintln!("deepxs: {error}");
                        failures += 1;
                    }
                }
            }
            if let Some(text) = chunk.slha_text {
                // The texts are kept only when they will be rewritten; then
                // slha_texts and slha_points stay aligned index by index.
                if let (true, Some(point)) = (args.write_xsection, points.first()) {
                    slha_texts.push((point.source.clone(), text));
                }
                slha_points.extend(points);
                return;
            }
            let predictions = predict_parallel(&weights, &points, &pairs, order);
            failures += report_failures(&predictions);
            io_failed |= printer.print(&predictions).is_err();
        };
        if let Err(error) = read_source(source, options, max_bytes, &mut sink) {
            eprintln!("deepxs: {error}");
            failures += 1;
        }
        if let Some(bar) = &progress {
            bar.inc(1);
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }

    let predictions = predict_parallel(&weights, &slha_points, &pairs, order);
    failures += report_failures(&predictions);
    io_failed |= printer.print(&predictions).is_err();
    io_failed |= printer.finish().is_err();

    if args.write_xsection {
        for (prediction, (source, text)) in predictions.iter().zip(&slha_texts) {
            let values = output::xsection_values(prediction, order);
            if values.is_empty() {
                continue;
            }
            let updated = deepxs::xsection::append_to_slha(text, &values, deepxs::xsection::PROGRAM, deepxs::VERSION);
            if let Err(message) = replace_file(Path::new(source), &updated) {
                eprintln!("deepxs: {message}");
                failures += 1;
                continue;
            }
            // An XSECTION block cannot carry warnings, so values the networks
            // extrapolated are named here.
            for pair in prediction.pairs.iter().filter(|pair| pair.status == Status::Ok) {
                let doubtful: Vec<String> = pair
                    .warnings
                    .iter()
                    .filter(|warning| matches!(warning, Warning::BelowTrainingMinimum { .. } | Warning::Extrapolation { .. }))
                    .map(Warning::message)
                    .collect();
                if !doubtful.is_empty() {
                    eprintln!("deepxs: {source}: {} written with a warning: {}", pair.pair, doubtful.join("; "));
                }
            }
        }
    }
    if io_failed {
        eprintln!("deepxs: writing to standard output failed");
        return EXIT_SOME_FAILED;
    }
    if failures > 0 {
        eprintln!("deepxs: {failures} input(s) failed; the other results are above");
        EXIT_SOME_FAILED
    } else {
        EXIT_OK
    }
}

/// Prints a line on stderr for each failed point and returns their count.
fn report_failures(predictions: &[PointPrediction]) -> usize {
    let mut count = 0;
    for prediction in predictions.iter().filter(|prediction| is_failure(prediction)) {
        let reasons: Vec<String> = prediction
            .pairs
            .iter()
            .map(|pair| match &pair.status {
                Status::NotComputable { missing } => format!("{}: not computable, missing {}", pair.pair, missing.join(", ")),
                Status::Invalid { reason } => format!("{}: invalid, {reason}", pair.pair),
                Status::Ok => format!("{}: ok", pair.pair),
            })
            .collect();
        eprintln!("deepxs: {} row {}: {}", prediction.source, prediction.row, reasons.join("; "));
        count += 1;
    }
    count
}
