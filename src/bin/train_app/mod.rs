//! Subcommands of `deepxs-train`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use deepxs::checks::MIN_CHARGINO_MASS_GEV;
use deepxs::pair::Pair;
use deepxs::record::InputRecord;
use deepxs::train::dataset::LabelledSet;
use deepxs::train::export::{add_members, drop_members, write_manifest};
use deepxs::train::engine::{load_pdf_directory, EngineLabels};
use deepxs::train::objective::Loss;
use deepxs::train::terms::{with_mean_squarks, TermLabels};
use deepxs::train::pmssm_box::{sample_pmssm_box, PmssmBox};
use deepxs::train::sampling::{random_mixing, sample_around};
use deepxs::train::features::{FeatureChoice, StageKind};
use deepxs::train::labels::{LabelSource, TeacherLabels, TeacherLoExponent};
use deepxs::train::progress::CommandLineObserver;
use deepxs::train::run::{train_stage, StageOptions};
use deepxs::train::trainer::{split_indices, TrainConfig, TrainObserver};
use deepxs::train::warm::load_initial_stage;
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
    /// Draw new input points around the points of a CSV file, or from the
    /// pMSSM-19 box through the tree-level spectrum generator.
    Sample(SampleArgs),
    /// Split a CSV file by rows into a training part and a held-out part.
    Split(SplitArgs),
    /// Label the points of a CSV file: exact σ_LO, K from truth or a teacher set.
    Label(LabelArgs),
    /// Train an ensemble for one pair and stage on a labelled CSV file.
    Train(TrainArgs),
    /// Write manifest.json for the trained stages found in a directory.
    Assemble(AssembleArgs),
    /// Compare a network set with the labels of a CSV file.
    Evaluate(EvaluateArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LossArg {
    Mape,
    SquaredLog,
    SquaredRelative,
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

fn parse_range(text: &str) -> Result<(f64, f64), String> {
    let invalid = || format!("invalid range '{text}': expected MIN,MAX with MIN < MAX, for example 0.8,2");
    let (low, high) = text.split_once(',').ok_or_else(invalid)?;
    let (low, high): (f64, f64) = (low.trim().parse().map_err(|_| invalid())?, high.trim().parse().map_err(|_| invalid())?);
    if low < high {
        Ok((low, high))
    } else {
        Err(invalid())
    }
}

impl LabelArgs {
    /// Returns whether teacher K labels need the exact σ_LO: to rescale them or to
    /// pick a sign variant, and in both cases to drop points where the
    /// teacher's σ_LO is off by more than --teacher-lo-tolerance.
    fn uses_exact_lo(&self) -> bool {
        self.teacher_nlo || self.teacher_lo_exponent.is_some() || self.teacher_sign_search
    }
}

fn parse_lo_exponent(text: &str) -> Result<TeacherLoExponent, String> {
    let invalid = || format!("invalid exponent '{text}': expected ABOVE or ABOVE,BELOW with finite numbers, for example 0.35,1");
    let parse = |value: &str| value.trim().parse::<f64>().ok().filter(|value| value.is_finite()).ok_or_else(invalid);
    let (above, below) = match text.split_once(',') {
        Some((above, below)) => (parse(above)?, parse(below)?),
        None => (parse(text)?, parse(text)?),
    };
    Ok(TeacherLoExponent { above_exp: above, below_exp: below })
}

fn parse_features(text: &str) -> Result<FeatureChoice, String> {
    FeatureChoice::parse(text).map_err(|error| error.to_string())
}

#[derive(Debug, Args)]
struct LabelArgs {
    #[command(flatten)]
    selection: StageSelection,
    /// CSV with the canonical input columns (U11 … m_gluino); other
    /// columns are ignored.
    #[arg(long, value_name = "FILE.csv")]
    input: PathBuf,
    /// LHAPDF6 set directory (e.g. cteq6l1) for exact σ_LO labels.
    #[arg(long, value_name = "DIR")]
    engine_pdf: Option<PathBuf>,
    /// Teacher network set (manifest.json and .safetensors): LO labels when
    /// no --engine-pdf is given, K labels on rows without truth.
    #[arg(long, value_name = "DIR")]
    teacher: Option<PathBuf>,
    /// Column of the input with σ_NLO truth in pb; for K, rows with a value
    /// get K = truth / exact σ_LO (needs --engine-pdf).
    #[arg(long, value_name = "NAME")]
    truth_column: Option<String>,
    /// For K from a teacher: label with the teacher's σ_NLO divided by the
    /// exact σ_LO (needs --engine-pdf) instead of the teacher's own K.
    #[arg(long, requires = "teacher")]
    teacher_nlo: bool,
    /// For K from a teacher: label with K_teacher · (σ_LO,teacher / σ_LO,exact)^a
    /// (needs --engine-pdf), with a = ABOVE where the teacher's σ_NLO is at
    /// least σ_exp (6.6e-5 pb) and a = BELOW under it (ABOVE when not given).
    /// a = 1 is --teacher-nlo, a = 0 the teacher's own K.
    #[arg(long, value_name = "ABOVE[,BELOW]", value_parser = parse_lo_exponent, requires = "teacher", conflicts_with = "teacher_nlo")]
    teacher_lo_exponent: Option<TeacherLoExponent>,
    /// With --teacher-nlo, --teacher-lo-exponent or --teacher-sign-search: rows where the teacher's
    /// σ_LO differs from the exact σ_LO by more than this relative amount
    /// stay unlabelled. Inside its input ranges a teacher can still
    /// extrapolate badly (DeepXS's c1c1 LO network is off by orders of
    /// magnitude on some points).
    #[arg(long, default_value_t = 0.02)]
    teacher_lo_tolerance: f64,
    /// For K from a teacher that depends on the sign convention (DeepXS):
    /// evaluate it on the four sign variants of each point, with N row 2
    /// and with U row 1 and V row 1 negated or not. The label is the K (with
    /// --teacher-nlo, the σ_NLO) of the variant whose teacher σ_LO comes
    /// closest to the exact σ_LO (needs --engine-pdf). Points where even
    /// that σ_LO is off by more than --teacher-lo-tolerance stay unlabelled.
    #[arg(long, requires = "teacher")]
    teacher_sign_search: bool,
    /// K labels from the teacher outside MIN,MAX stay unlabelled. Prospino
    /// K-factors of these pairs lie between about 0.9 and 1.6, and the DeepXS
    /// K networks return values down to 0.03 where they extrapolate.
    #[arg(long, value_name = "MIN,MAX", value_parser = parse_range, requires = "teacher")]
    teacher_k_range: Option<(f64, f64)>,
    /// With --engine-pdf: also write the values of the terms of the pair's
    /// structured network (columns term0, term1 …), solved from the engine
    /// at fixed masses, for `train --term-targets` (LO) or a structured K
    /// network. For --stage k the eight first- and second-generation
    /// squarks are set to their mean mass first, as in Prospino's K. Rows
    /// where the terms cannot be solved are left out. Not for c1c1.
    #[arg(long, requires = "engine_pdf")]
    terms: bool,
    /// LO labels below this σ in pb are left out (σ_min of the training
    /// selection: one event in 3000 fb⁻¹).
    #[arg(long, default_value_t = deepxs::checks::SIGMA_MINIMUM_PB)]
    min_sigma_pb: f64,
    /// Output CSV: the input columns and a `label` column. Rows no source
    /// can label are left out.
    #[arg(long, value_name = "FILE.csv")]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct SampleArgs {
    /// CSV of base points (canonical input columns); new points are
    /// perturbed copies of them.
    #[arg(long, value_name = "FILE.csv", required_unless_present_any = ["pmssm_box", "random_mixing"], conflicts_with_all = ["pmssm_box", "random_mixing"])]
    around: Option<PathBuf>,
    /// CSV of base points whose masses are kept: the new points copy them
    /// in order (cycling when --count exceeds their number) with N row 2,
    /// U row 1, V row 1 and the sign of m(χ̃⁰₂) drawn at random. Such points
    /// decorrelate the coupling products that the structured LO networks
    /// multiply, at the masses of the base points.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "pmssm_box")]
    random_mixing: Option<PathBuf>,
    /// Draw from the pMSSM-19 box instead (|M1|, |M2|, |mu| ≤ 4 TeV with
    /// either sign, M3 and the squark soft masses in [0.2, 4] TeV, tan β in
    /// [1, 60]), keeping points with a χ̃⁰₁ LSP, squarks above 500 GeV and
    /// χ̃±₁ above 100 GeV. The σ_min cut is left to `label`.
    #[arg(long)]
    pmssm_box: bool,
    /// Number of points to write.
    #[arg(long)]
    count: usize,
    /// Standard deviation of the log mass factors and mixing angles (rad),
    /// for --around.
    #[arg(long, default_value_t = 0.1)]
    spread: f64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Lowest χ̃±₁ mass in GeV of the points drawn with --around (default:
    /// the paper's cut of 100 GeV). The DeepXS test rows reach down to
    /// 77 GeV, and networks extrapolate poorly below their lowest training
    /// mass.
    #[arg(long, value_name = "GEV", requires = "around", conflicts_with = "pmssm_box")]
    min_chargino_mass: Option<f64>,
    #[arg(long, value_name = "FILE.csv")]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct SplitArgs {
    /// CSV file to split by rows; the header goes to both outputs.
    #[arg(long, value_name = "FILE.csv")]
    input: PathBuf,
    /// Fraction of the rows written to --holdout-out.
    #[arg(long, default_value_t = 0.2)]
    holdout_fraction: f64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, value_name = "FILE.csv")]
    train_out: PathBuf,
    #[arg(long, value_name = "FILE.csv")]
    holdout_out: PathBuf,
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
    /// Input features: basic (mixing-matrix bilinears or rows and
    /// log-masses), physics (the coupling products σ_LO is linear in, and
    /// log-masses) or structured (log-masses in). A structured LO network
    /// returns one coefficient per coupling product. A structured K network
    /// (n2n2, n2c1p, n2c1m) returns one LO term and one K-factor per
    /// product and needs the term0 … columns of `label --stage k --terms`.
    #[arg(long, value_parser = parse_features, default_value = "basic")]
    features: FeatureChoice,
    /// Widths of the SELU hidden layers, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "100,100,100,100,100,100,100,100")]
    hidden: Vec<usize>,
    #[arg(long, default_value_t = 256)]
    batch_size: usize,
    /// Initial Adam learning rate; halved at every restart.
    #[arg(long, default_value_t = 1e-3)]
    learning_rate: f32,
    /// Factor applied to the learning rate after every epoch (1: constant
    /// between restarts).
    #[arg(long, default_value_t = 1.0)]
    learning_rate_decay: f32,
    #[arg(long, default_value_t = 1000)]
    max_epochs: usize,
    /// Epochs without improvement of the validation MAPE before a restart.
    #[arg(long, default_value_t = 20)]
    patience: usize,
    /// Restarts from the best weights before training stops.
    #[arg(long, default_value_t = 4)]
    restarts: usize,
    /// Training loss: mape, squared-log ((ln f − ln t)², often faster to
    /// converge) or squared-relative ((f/t − 1)², for structured networks).
    #[arg(long, value_enum, default_value = "mape")]
    loss: LossArg,
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
    /// Warm start: continue from this stage of the set in DIR (its
    /// `<pair>_<stage>.stage.json`, or else its manifest.json, and the
    /// networks). The run keeps that set's features, z-score constants and
    /// output map; --features, --hidden and --members must fit it.
    #[arg(long, value_name = "DIR", conflicts_with = "constants_from")]
    init_from: Option<PathBuf>,
    /// Grow an ensemble: keep the features, z-score constants and output
    /// map of this stage of the set in DIR, but start from new random
    /// weights. Use with --first-member and `assemble --add-members`.
    #[arg(long, value_name = "DIR")]
    constants_from: Option<PathBuf>,
    /// Index of the first member trained: names `<pair>_<stage>_<index>`
    /// and seeds SEED + index start there.
    #[arg(long, default_value_t = 0)]
    first_member: usize,
    /// With --features structured (n2n2, n2c1p, n2c1m): train every output
    /// against the value of its term as well, from the term0 … columns that
    /// `label --terms` writes. Each output then learns its function of the
    /// masses to the same relative precision, also where its coupling
    /// product is small in the data.
    #[arg(long)]
    term_targets: bool,
    /// With --features structured (n2n2, n2c1p, n2c1m): multiply each
    /// coupling product by a fit of σ_LO's fall with the final-state masses
    /// (on the training rows) and by its squark propagator factors, so that
    /// the network outputs learn a much flatter function. The factors
    /// become part of the manifest's output map.
    #[arg(long)]
    mass_factors: bool,
    /// With --features structured: fit the exponential output map on the
    /// label over the summed coupling products instead of on the label.
    /// With --mass-factors the outputs then span about one unit instead of
    /// a few hundredths, which the network resolves more finely.
    #[arg(long)]
    normalised_outputs: bool,
    /// With --mass-factors: fit each term's fall with the masses on its own
    /// values (the term0 … columns of `label --terms`) instead of one fit
    /// on σ for all terms. The terms of χ̃⁰₂χ̃⁰₂ differ most in that fall.
    #[arg(long)]
    term_factors: bool,
}

#[derive(Debug, Args)]
struct AssembleArgs {
    /// Directory with the networks and `<pair>_<stage>.stage.json` files of
    /// trained stages (collected from several `train` runs).
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// Description written into manifest.json.
    #[arg(long, default_value = "deepxs networks trained with deepxs-train")]
    description: String,
    /// Round every weight to this many mantissa bits (1–23) first, so that
    /// the embedded set compresses better; 23 keeps f32 as it is.
    #[arg(long, value_name = "BITS", default_value_t = 23, value_parser = clap::value_parser!(u32).range(1..=23))]
    mantissa_bits: u32,
    /// Before writing the manifest, add the members of the stages trained
    /// in this directory (with --constants-from and --first-member) to the
    /// same stages in --dir; repeatable.
    #[arg(long, value_name = "DIR")]
    add_members: Vec<PathBuf>,
    /// After adding members, remove this member (`<pair>_<stage>_<index>`)
    /// from its stage and delete its network file; repeatable. Keeps a
    /// chosen subset of the trained members.
    #[arg(long, value_name = "NAME")]
    drop_member: Vec<String>,
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
    /// Also write the rows with their prediction (`prediction` column,
    /// empty where the set gives none) to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    predictions_out: Option<PathBuf>,
    /// Network-based point selection: write the --worst-count rows with the
    /// largest relative error (with their labels) to this CSV file, to be
    /// added to the training data of the next round.
    #[arg(long, value_name = "FILE.csv", requires = "worst_count")]
    worst_out: Option<PathBuf>,
    /// Number of rows for --worst-out.
    #[arg(long, value_name = "N", requires = "worst_out")]
    worst_count: Option<usize>,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sample(args) => sample(&args),
        Command::Split(args) => split(&args),
        Command::Label(args) => label(&args),
        Command::Train(args) => train(&args),
        Command::Assemble(args) => assemble(&args),
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

fn sample(args: &SampleArgs) -> Result<(), TrainError> {
    let min_chargino_gev = args.min_chargino_mass.unwrap_or(MIN_CHARGINO_MASS_GEV);
    if !(min_chargino_gev.is_finite() && min_chargino_gev >= 0.0) {
        return Err(TrainError::Invalid(format!("--min-chargino-mass {min_chargino_gev}: invalid, expected a mass in GeV of 0 or more")));
    }
    let (records, origin) = match (&args.around, &args.random_mixing) {
        (Some(around), _) => {
            let base = LabelledSet::read_csv(around)?;
            (sample_around(&base.records, args.count, args.spread, args.seed, min_chargino_gev), format!("around {} base points", base.len()))
        }
        (None, Some(path)) => {
            let base = LabelledSet::read_csv(path)?;
            if base.is_empty() {
                return Err(TrainError::Invalid(format!("{}: no base points to copy, expected a CSV with at least one data row", path.display())));
            }
            (random_mixing(&base.records, args.count, args.seed), format!("with random mixing at the masses of {} base points", base.len()))
        }
        (None, None) => {
            // The cuts keep well over a tenth of the draws, so a hundred
            // draws per point only bound a box that was narrowed too far.
            let sample = sample_pmssm_box(&PmssmBox::default(), args.count, args.count.saturating_mul(100), args.seed);
            let records: Vec<_> = sample.points.iter().map(|point| point.record).collect();
            let origin = format!("from the pMSSM-19 box ({} draws)", sample.draws);
            (records, origin)
        }
    };
    let written = records.len();
    let labels = vec![f64::NAN; written];
    write_file(&args.out, &LabelledSet { records, labels, terms: Vec::new() }.to_csv(false))?;
    eprintln!("wrote {written} points {origin} to {}", args.out.display());
    Ok(())
}

fn split(args: &SplitArgs) -> Result<(), TrainError> {
    let text = std::fs::read_to_string(&args.input).map_err(|error| TrainError::io(&args.input, error))?;
    let mut lines = text.lines().filter(|line| !line.trim().is_empty());
    let header = lines.next().ok_or_else(|| TrainError::Invalid(format!("{}: the file is empty", args.input.display())))?;
    let rows: Vec<&str> = lines.collect();
    let (training, holdout) = split_indices(rows.len(), args.holdout_fraction, args.seed);
    for (path, indices) in [(&args.train_out, &training), (&args.holdout_out, &holdout)] {
        let mut sorted = indices.clone();
        sorted.sort_unstable();
        let mut out = String::from(header);
        out.push('\n');
        for index in sorted {
            out.push_str(rows[index]);
            out.push('\n');
        }
        write_file(path, &out)?;
    }
    eprintln!("{} rows: {} to {}, {} to {}", rows.len(), training.len(), args.train_out.display(), holdout.len(), args.holdout_out.display());
    Ok(())
}

fn label(args: &LabelArgs) -> Result<(), TrainError> {
    let (pair, stage) = (args.selection.pair, args.selection.stage);
    let input = LabelledSet::read_csv(&args.input)?;
    let engine = match &args.engine_pdf {
        Some(directory) => Some(EngineLabels {
            description: format!("exact LO engine, {}, 13 TeV", directory.display()),
            pdf: load_pdf_directory(directory)?,
        }),
        None => None,
    };
    let teacher = match &args.teacher {
        Some(directory) => {
            Some(TeacherLabels { description: format!("teacher set {}", directory.display()), weights: load_weight_directory(directory)? })
        }
        None => None,
    };

    let mut labels: Vec<Option<f64>> = vec![None; input.len()];
    let mut counts: Vec<(String, usize)> = Vec::new();
    match stage {
        StageKind::Lo => {
            let source: &dyn LabelSource = match (&engine, &teacher) {
                (Some(engine), _) => engine,
                (None, Some(teacher)) => teacher,
                (None, None) => return Err(TrainError::Invalid("LO labels need --engine-pdf or --teacher".into())),
            };
            labels = source.labels(pair, stage, &input.records);
            for label in &mut labels {
                *label = label.filter(|&sigma_pb| sigma_pb > args.min_sigma_pb);
            }
            counts.push((source.describe(), labels.iter().flatten().count()));
        }
        StageKind::K => {
            if let Some(column) = &args.truth_column {
                let engine = engine.as_ref().ok_or_else(|| TrainError::Invalid("K from truth needs --engine-pdf for σ_LO".into()))?;
                let truth = LabelledSet::read_csv_with_label(&args.input, column)?;
                let lo = engine.cross_sections(pair, &input.records);
                for (slot, (nlo_pb, lo_pb)) in labels.iter_mut().zip(truth.labels.iter().zip(&lo)) {
                    if let (true, Some(lo_pb)) = (nlo_pb.is_finite() && *nlo_pb > 0.0, lo_pb) {
                        *slot = Some(nlo_pb / lo_pb);
                    }
                }
                counts.push((format!("{column} / exact σ_LO"), labels.iter().flatten().count()));
            }
            if let Some(teacher) = &teacher {
                let unlabelled: Vec<usize> = (0..input.len()).filter(|&i| labels[i].is_none()).collect();
                let records: Vec<_> = unlabelled.iter().map(|&i| input.records[i]).collect();
                let from_teacher = teacher_k_labels(args, teacher, engine.as_ref(), pair, &records)?;
                let (low, high) = args.teacher_k_range.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
                let from_teacher: Vec<Option<f64>> = from_teacher.into_iter().map(|k| k.filter(|k| (low..=high).contains(k))).collect();
                let mut count = 0;
                for (&index, value) in unlabelled.iter().zip(from_teacher) {
                    labels[index] = value;
                    count += usize::from(value.is_some());
                }
                let mut notes = Vec::new();
                if args.teacher_nlo {
                    notes.push("σ_NLO / exact σ_LO".to_string());
                }
                if let Some(exponent) = args.teacher_lo_exponent {
                    notes.push(format!(
                        "K · (σ_LO / exact σ_LO)^a, a = {} for σ_NLO ≥ σ_exp and {} below",
                        exponent.above_exp, exponent.below_exp
                    ));
                }
                if args.teacher_sign_search {
                    notes.push("sign variant with the closest σ_LO".to_string());
                }
                if args.uses_exact_lo() {
                    notes.push(format!("σ_LO within {} of the exact σ_LO", args.teacher_lo_tolerance));
                }
                let suffix = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join(", ")) };
                counts.push((format!("{}{suffix}", teacher.describe()), count));
            }
            if counts.is_empty() {
                return Err(TrainError::Invalid("K labels need --truth-column with --engine-pdf, or --teacher".into()));
            }
        }
    }

    let mut kept: Vec<usize> = (0..input.len()).filter(|&i| labels[i].is_some()).collect();
    let mut terms = Vec::new();
    if args.terms {
        let engine = engine.as_ref().ok_or_else(|| TrainError::Invalid("term labels need --engine-pdf".into()))?;
        let records: Vec<_> = match stage {
            StageKind::Lo => kept.iter().map(|&i| input.records[i]).collect(),
            StageKind::K => kept.iter().map(|&i| with_mean_squarks(&input.records[i])).collect(),
        };
        let solved = TermLabels { pdf: engine.pdf.clone() }.terms(pair, &records)?;
        let before = kept.len();
        kept = kept.into_iter().zip(&solved).filter_map(|(index, values)| values.as_ref().map(|_| index)).collect();
        terms = solved.into_iter().flatten().collect();
        eprintln!("solved the {pair} terms at {} of {before} labelled rows; the others are left out", kept.len());
    }
    let mut output = input.subset(&kept);
    output.labels = kept.iter().filter_map(|&i| labels[i]).collect();
    output.terms = terms;
    write_file(&args.out, &output.to_csv(true))?;
    let sources: Vec<String> = counts.iter().map(|(source, count)| format!("{count} from {source}")).collect();
    eprintln!("labelled {} of {} rows ({}); wrote {}", output.len(), input.len(), sources.join(", "), args.out.display());
    Ok(())
}

/// K labels from the teacher for `records`: its own K, or with
/// --teacher-nlo its σ_NLO over the exact σ_LO, from the records as written
/// or with --teacher-sign-search from the sign variant its σ_LO selects.
/// The K range filter is left to the caller.
fn teacher_k_labels(
    args: &LabelArgs,
    teacher: &TeacherLabels,
    engine: Option<&EngineLabels>,
    pair: Pair,
    records: &[InputRecord],
) -> Result<Vec<Option<f64>>, TrainError> {
    if !args.uses_exact_lo() {
        return Ok(teacher.labels(pair, StageKind::K, records));
    }
    let engine = engine.ok_or_else(|| {
        TrainError::Invalid("--teacher-nlo, --teacher-lo-exponent and --teacher-sign-search need --engine-pdf: give the LHAPDF6 directory of the exact σ_LO, for example cteq6l1".into())
    })?;
    let exponent = match (args.teacher_nlo, args.teacher_lo_exponent) {
        (true, _) => TeacherLoExponent::NLO,
        (false, Some(exponent)) => exponent,
        (false, None) => TeacherLoExponent { above_exp: 0.0, below_exp: 0.0 },
    };
    let exact_lo = engine.cross_sections(pair, records);
    let teacher_lo_and_k = teacher.by_lo_agreement(pair, records, &exact_lo, args.teacher_lo_tolerance, args.teacher_sign_search);
    let labels = teacher_lo_and_k
        .into_iter()
        .zip(&exact_lo)
        .map(|(teacher, exact_pb)| {
            let ((teacher_pb, k), exact_pb) = (teacher?, (*exact_pb)?);
            Some(exponent.label(teacher_pb, k, exact_pb))
        })
        .collect();
    Ok(labels)
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
            learning_rate_decay: args.learning_rate_decay,
            normalised_outputs: args.normalised_outputs,
            loss: match args.loss {
                LossArg::Mape => Loss::Mape,
                LossArg::SquaredLog => Loss::SquaredLog,
                LossArg::SquaredRelative => Loss::SquaredRelative,
            },
            ..TrainConfig::default()
        },
        features: args.features,
        members: args.members,
        seed: args.seed,
        validation_fraction: args.validation_fraction,
        label_source: args.label_source.clone(),
        description: args.description.clone(),
        initial: match (&args.init_from, &args.constants_from) {
            (Some(directory), _) => Some(load_initial_stage(directory, args.selection.pair, args.selection.stage, true)?),
            (None, Some(directory)) => Some(load_initial_stage(directory, args.selection.pair, args.selection.stage, false)?),
            (None, None) => None,
        },
        first_member: args.first_member,
        term_targets: args.term_targets,
        mass_factors: args.mass_factors,
        term_factors: args.term_factors,
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

fn assemble(args: &AssembleArgs) -> Result<(), TrainError> {
    for other in &args.add_members {
        for (stage, members) in add_members(&args.dir, other)? {
            eprintln!("{stage}: {members} members after adding those of {}", other.display());
        }
    }
    for (stage, members) in drop_members(&args.dir, &args.drop_member)? {
        eprintln!("{stage}: {members} members after dropping {}", args.drop_member.join(", "));
    }
    if args.mantissa_bits < 23 {
        let count = deepxs::train::compact::round_directory(&args.dir, args.mantissa_bits)?;
        eprintln!("rounded the weights of {count} networks to {} mantissa bits", args.mantissa_bits);
    }
    let pairs = write_manifest(&args.dir, &args.description)?;
    if pairs.is_empty() {
        return Err(TrainError::Invalid(format!("{}: no pair has both an LO and a K stage", args.dir.display())));
    }
    let ids: Vec<&str> = pairs.iter().map(|pair| pair.id()).collect();
    eprintln!("wrote {} for {}", args.dir.join("manifest.json").display(), ids.join(", "));
    Ok(())
}

fn evaluate(args: &EvaluateArgs) -> Result<(), TrainError> {
    let data = LabelledSet::read_csv(&args.data)?;
    let set = TeacherLabels { description: args.weights.display().to_string(), weights: load_weight_directory(&args.weights)? };
    let predictions = set.labels(args.selection.pair, args.selection.stage, &data.records);
    if let Some(path) = &args.predictions_out {
        let mut text = data.to_csv(true).replacen('\n', ",prediction\n", 1);
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        for (line, prediction) in lines.iter_mut().skip(1).zip(&predictions) {
            line.push(',');
            if let Some(value) = prediction {
                line.push_str(&format!("{value:?}"));
            }
        }
        text = lines.join("\n") + "\n";
        write_file(path, &text)?;
    }
    let mut errors = Vec::new();
    let mut rows_by_error = Vec::new();
    let mut invalid = 0;
    for (row, (prediction, &label)) in predictions.iter().zip(&data.labels).enumerate() {
        match prediction {
            Some(value) if label.is_finite() && label != 0.0 => {
                let error = (value / label - 1.0).abs();
                errors.push(error);
                rows_by_error.push((error, row));
            }
            Some(_) => {}
            None => invalid += 1,
        }
    }
    if let (Some(path), Some(count)) = (&args.worst_out, args.worst_count) {
        rows_by_error.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let worst: Vec<usize> = rows_by_error.iter().take(count).map(|&(_, row)| row).collect();
        write_file(path, &data.subset(&worst).to_csv(true))?;
        let smallest = rows_by_error.get(worst.len().saturating_sub(1)).map_or(0.0, |&(error, _)| error * 100.0);
        eprintln!("wrote the {} worst rows (errors down to {smallest:.4} %) to {}", worst.len(), path.display());
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
