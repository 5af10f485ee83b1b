//! Subcommands of `deepxs-train`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use deepxs::pair::Pair;
use deepxs::train::dataset::LabelledSet;
use deepxs::train::features::StageKind;
use deepxs::train::labels::{LabelSource, TeacherLabels};
use deepxs::train::progress::CommandLineObserver;
use deepxs::train::run::{train_stage, StageOptions};
use deepxs::train::trainer::{TrainConfig, TrainObserver};
use deepxs::train::{load_weight_directory, TrainError};
use deepxs::validate::ErrorStatistics;

#[derive(Debug, Parser)]
#[command(name = "deepxs-train", version, about = "Label points, train LO and K networks, and evaluate network sets for deepxs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Label the points of a CSV file with a teacher network set.
    Label(LabelArgs),
    /// Train an ensemble for one pair and stage on a labelled CSV file.
    Train(TrainArgs),
    /// Compare a network set with the labels of a CSV file.
    Evaluate(EvaluateArgs),
}

#[derive(Debug, Args)]
struct StageSelection {
    /// Pair: c1c1, n2n2, n2c1p or n2c1m.
    #[arg(long)]
    pair: Pair,
    /// Stage: lo (σ_LO in pb) or k (K-factor).
    #[arg(long, value_parser = parse_stage)]
    stage: StageKind,
}

fn parse_stage(text: &str) -> Result<StageKind, String> {
    StageKind::parse(text).map_err(|error| error.to_string())
}

#[derive(Debug, Args)]
struct LabelArgs {
    #[command(flatten)]
    selection: StageSelection,
    /// CSV with the canonical input columns (U11 … m_gluino).
    #[arg(long, value_name = "FILE.csv")]
    input: PathBuf,
    /// Directory of the teacher network set (manifest.json and .safetensors).
    #[arg(long, value_name = "DIR")]
    teacher: PathBuf,
    /// Output CSV: the input columns and a `label` column; rows the
    /// teacher cannot label are left out.
    #[arg(long, value_name = "FILE.csv")]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct TrainArgs {
    #[command(flatten)]
    selection: StageSelection,
    /// Labelled CSV (canonical input columns and `label`).
    #[arg(long, value_name = "FILE.csv")]
    data: PathBuf,
    /// Output directory for the networks, stage description and manifest.json.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Ensemble members; member i starts from seed SEED + i.
    #[arg(long, default_value_t = 3)]
    members: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Widths of the SELU hidden layers, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "100,100,100,100,100,100,100,100")]
    hidden: Vec<usize>,
    #[arg(long, default_value_t = 256)]
    batch_size: usize,
    /// Initial Adam learning rate; halved at every restart.
    #[arg(long, default_value_t = 1e-3)]
    learning_rate: f32,
    #[arg(long, default_value_t = 1000)]
    max_epochs: usize,
    /// Epochs without improvement of the validation MAPE before a restart.
    #[arg(long, default_value_t = 20)]
    patience: usize,
    /// Restarts from the best weights before training stops.
    #[arg(long, default_value_t = 4)]
    restarts: usize,
    /// Fraction of the rows kept for validation.
    #[arg(long, default_value_t = 0.1)]
    validation_fraction: f64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Description of where the labels came from, stored with the stage.
    #[arg(long, default_value = "unspecified")]
    label_source: String,
    /// Description written into manifest.json.
    #[arg(long, default_value = "deepxs networks trained with deepxs-train")]
    description: String,
    /// Training log (CSV, appended); default OUT/training_log.csv.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Checkpoint directory; default OUT/checkpoints.
    #[arg(long, value_name = "DIR")]
    checkpoints: Option<PathBuf>,
    /// Hide the progress bars.
    #[arg(long)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct EvaluateArgs {
    #[command(flatten)]
    selection: StageSelection,
    /// Directory of the network set to evaluate.
    #[arg(long, value_name = "DIR")]
    weights: PathBuf,
    /// Labelled CSV (canonical input columns and `label`).
    #[arg(long, value_name = "FILE.csv")]
    data: PathBuf,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Label(args) => label(&args),
        Command::Train(args) => train(&args),
        Command::Evaluate(args) => evaluate(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("deepxs-train: {error}");
            ExitCode::FAILURE
        }
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), TrainError> {
    std::fs::write(path, text).map_err(|error| TrainError::io(path, error))
}

fn label(args: &LabelArgs) -> Result<(), TrainError> {
    let input = LabelledSet::read_csv(&args.input)?;
    let teacher = TeacherLabels {
        description: format!("teacher network set {}", args.teacher.display()),
        weights: load_weight_directory(&args.teacher)?,
    };
    let labels = teacher.labels(args.selection.pair, args.selection.stage, &input.records);
    let kept: Vec<usize> = (0..input.len()).filter(|&i| labels[i].is_some()).collect();
    let mut output = input.subset(&kept);
    output.labels = kept.iter().filter_map(|&i| labels[i]).collect();
    write_file(&args.out, &output.to_csv(true))?;
    eprintln!("labelled {} of {} rows with {}; wrote {}", output.len(), input.len(), teacher.describe(), args.out.display());
    Ok(())
}

fn train(args: &TrainArgs) -> Result<(), TrainError> {
    if let Some(threads) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .map_err(|error| TrainError::Invalid(format!("cannot start {threads} threads: {error}")))?;
    }
    let data = LabelledSet::read_csv(&args.data)?;
    let options = StageOptions {
        config: TrainConfig {
            hidden: args.hidden.clone(),
            batch_size: args.batch_size,
            learning_rate: args.learning_rate,
            max_epochs: args.max_epochs,
            patience: args.patience,
            restarts: args.restarts,
            ..TrainConfig::default()
        },
        members: args.members,
        seed: args.seed,
        validation_fraction: args.validation_fraction,
        label_source: args.label_source.clone(),
        description: args.description.clone(),
    };
    std::fs::create_dir_all(&args.out).map_err(|error| TrainError::io(&args.out, error))?;
    let log = args.log.clone().unwrap_or_else(|| args.out.join("training_log.csv"));
    let checkpoints = args.checkpoints.clone().unwrap_or_else(|| args.out.join("checkpoints"));
    let mut first_error: Option<TrainError> = None;
    let mut observer = |name: &str| -> Box<dyn TrainObserver> {
        match CommandLineObserver::new(name, &log, &checkpoints, args.quiet) {
            Ok(observer) => Box::new(observer),
            Err(error) => {
                first_error.get_or_insert(error);
                Box::new(deepxs::train::trainer::Silent)
            }
        }
    };
    let description = train_stage(&data, args.selection.pair, args.selection.stage, &options, &args.out, &mut observer)?;
    if let Some(error) = first_error {
        return Err(error);
    }
    eprintln!(
        "{} {}: {} training and {} validation rows, {:.0} s; validation MAPE per member {:?} %, ensemble {:.4} % (max {:.3} %)",
        description.pair,
        description.stage,
        description.training_rows,
        description.validation_rows,
        description.training_seconds,
        description.member_validation_mape_percent,
        description.ensemble_validation_mape_percent,
        description.ensemble_validation_max_percent
    );
    Ok(())
}

fn evaluate(args: &EvaluateArgs) -> Result<(), TrainError> {
    let data = LabelledSet::read_csv(&args.data)?;
    let set = TeacherLabels { description: args.weights.display().to_string(), weights: load_weight_directory(&args.weights)? };
    let predictions = set.labels(args.selection.pair, args.selection.stage, &data.records);
    let mut errors = Vec::new();
    let mut invalid = 0;
    for (prediction, &label) in predictions.iter().zip(&data.labels) {
        match prediction {
            Some(value) if label.is_finite() && label != 0.0 => errors.push((value / label - 1.0).abs()),
            Some(_) => {}
            None => invalid += 1,
        }
    }
    let statistics = ErrorStatistics::from_errors(errors)
        .ok_or_else(|| TrainError::Invalid(format!("{}: no row with a label and a valid prediction", args.data.display())))?;
    println!(
        "{} {}: n = {}, MAPE {:.4} %, 68.27 % {:.4} %, 95.45 % {:.4} %, 99.73 % {:.4} %, max {:.4} %, invalid predictions {invalid}",
        args.selection.pair,
        args.selection.stage.id(),
        statistics.count,
        statistics.mape_percent,
        statistics.quantile_percent[0],
        statistics.quantile_percent[1],
        statistics.quantile_percent[2],
        statistics.max_percent
    );
    Ok(())
}
