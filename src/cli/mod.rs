//! Command-line interface: argument parsing and dispatch.

mod predict;
mod source;
mod validate;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use deepxs::pair::{Pair, PAIRS};
use deepxs::pipeline::WeightSet;
use deepxs::predict::Order;

/// Exit status: every input was read and predicted.
pub const EXIT_OK: i32 = 0;
/// Exit status: some inputs failed; the rest were reported.
pub const EXIT_SOME_FAILED: i32 = 1;
/// Exit status: the command line was not valid.
pub const EXIT_USAGE: i32 = 2;

#[derive(Debug, Parser)]
#[command(name = "deepxs", version, about = "LO, K-factor and NLO cross sections for electroweakino pair production at the 13 TeV LHC (DeepXS method)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Predict LO, K and NLO for SLHA, CSV or array inputs.
    Predict(PredictArgs),
    /// Compare predictions with a truth column and print accuracy statistics.
    Validate(ValidateArgs),
    /// Compute exact leading-order cross sections for all 29 electroweakino
    /// pairs from SLHA spectra and an LHAPDF6 parton-density set.
    Lo(deepxs::cli_lo::LoArgs),
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Table,
    /// Long-format CSV: source,row,pair,lo_pb,k,nlo_pb,warnings.
    Csv,
    /// A JSON array of points with their pairs and warning messages.
    Json,
    /// SLHA XSECTION blocks.
    Slha,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OrderArg {
    Lo,
    Nlo,
    Both,
}

impl From<OrderArg> for Order {
    fn from(order: OrderArg) -> Self {
        match order {
            OrderArg::Lo => Order::Lo,
            OrderArg::Nlo => Order::Nlo,
            OrderArg::Both => Order::Both,
        }
    }
}

/// Options shared by commands that load networks.
#[derive(Debug, Args)]
pub struct WeightArgs {
    /// Directory with a manifest.json and its .safetensors networks; without
    /// it the network set embedded in this build is used.
    #[arg(long, value_name = "DIR")]
    weights: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PredictArgs {
    /// SLHA, CSV or array files, directories (their files are read in name
    /// order), or - for standard input.
    #[arg(value_name = "FILES|DIRS|-", required = true)]
    inputs: Vec<String>,
    /// Comma-separated pairs to predict: c1c1, n2n2, n2c1p, n2c1m.
    #[arg(long, value_delimiter = ',', default_value = "c1c1,n2n2,n2c1p,n2c1m")]
    pairs: Vec<Pair>,
    /// Orders to compute and report: lo, nlo (with K) or both.
    #[arg(long, value_enum, default_value = "both")]
    order: OrderArg,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    #[command(flatten)]
    weights: WeightArgs,
    /// Append XSECTION blocks to each SLHA input file, replacing the blocks
    /// an earlier run wrote for the same pair and order.
    #[arg(long)]
    write_xsection: bool,
    /// Add the ensemble spread of LO, K and NLO: relative in CSV and JSON,
    /// σ_NLO in percent in the table.
    #[arg(long)]
    uncertainty: bool,
    /// Largest input file accepted, in MiB (standard input streams without limit).
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    max_file_size: u64,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Truth table: a CSV with canonical input columns and a truth column,
    /// or a CSV with `file` and `pair` columns naming SLHA files (looked up
    /// next to the table and in its `slha/` folder).
    #[arg(long, value_name = "FILE.csv")]
    truth: PathBuf,
    /// Truth column in pb; by default the first of nlo_prospino_pb, nlo_ms_pb.
    #[arg(long, value_name = "NAME")]
    truth_column: Option<String>,
    /// Column of the truth table with another σ_NLO prediction in pb (for
    /// the DeepXS test rows, nlo_deepxs_pb) to score on the same rows as the
    /// network. Every row must have a value.
    #[arg(long, value_name = "NAME")]
    compare_column: Option<String>,
    /// With --compare-column: bootstrap resamples of the rows for the
    /// fraction in which the network's statistic is lower than the other
    /// column's; 0 leaves it out.
    #[arg(long, value_name = "N", default_value_t = 1000, requires = "compare_column")]
    bootstrap: usize,
    /// Comma-separated pairs to validate.
    #[arg(long, value_delimiter = ',', default_value = "c1c1,n2n2,n2c1p,n2c1m")]
    pairs: Vec<Pair>,
    #[command(flatten)]
    weights: WeightArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Loads the network set named on the command line, or the embedded one.
pub fn load_weights(args: &WeightArgs) -> Result<WeightSet, String> {
    match &args.weights {
        None => WeightSet::embedded().map_err(|error| format!("{error}; see --weights")),
        Some(directory) => {
            let manifest_path = directory.join("manifest.json");
            let manifest = std::fs::read_to_string(&manifest_path)
                .map_err(|error| format!("cannot read {}: {error}", manifest_path.display()))?;
            WeightSet::load(&manifest, &mut |name| {
                let path = directory.join(format!("{name}.safetensors"));
                std::fs::read(&path).map_err(|error| format!("cannot read {}: {error}", path.display()))
            })
            .map_err(|error| format!("{}: {error}", manifest_path.display()))
        }
    }
}

/// Parses the command line, runs the command and returns the exit status.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    match cli.command {
        Command::Predict(args) => predict::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Lo(args) => run_lo(args),
    }
}

/// Runs `deepxs lo` after expanding directories into their files, as
/// `predict` does. Arguments that name nothing readable are reported and
/// make the exit status 1; the other files are still computed.
fn run_lo(mut args: deepxs::cli_lo::LoArgs) -> i32 {
    let arguments: Vec<String> = args.files.iter().map(|path| path.to_string_lossy().into_owned()).collect();
    let (sources, mut errors) = source::expand_inputs(&arguments);
    args.files = Vec::with_capacity(sources.len());
    for input in sources {
        match input {
            source::InputSource::File(path) => args.files.push(path),
            source::InputSource::Stdin => errors.push("-: deepxs lo reads spectrum files, not standard input".into()),
        }
    }
    for error in &errors {
        eprintln!("error: {error}");
    }
    let status = deepxs::cli_lo::run_lo(&args, &read_spectra);
    if errors.is_empty() {
        status
    } else {
        status.max(1)
    }
}

/// Reads the full spectra of an input for the exact LO engine. Only SLHA
/// files carry every neutralino and chargino with its mixing.
fn read_spectra(path: &std::path::Path) -> Result<Vec<(String, usize, deepxs::spectrum::Spectrum)>, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| format!("{name}: cannot read: {error}"))?;
    let batch = deepxs::input::read_input(&name, &bytes, Default::default()).map_err(|error| error.to_string())?;
    let mut spectra = Vec::new();
    for point in batch.rows {
        let point = point.map_err(|error| error.to_string())?;
        let spectrum = point.spectrum.ok_or_else(|| {
            format!(
                "{name}: the exact LO needs the masses of all four neutralinos and both charginos (MASS 1000022, 1000023, \
                 1000025, 1000035, 1000024, 1000037) and complete NMIX, UMIX and VMIX blocks, and this input lacks some of them"
            )
        })?;
        spectra.push((point.source, point.row, spectrum));
    }
    Ok(spectra)
}

/// Pairs in the canonical order, without repeats.
pub fn unique_pairs(requested: &[Pair]) -> Vec<Pair> {
    PAIRS.iter().copied().filter(|pair| requested.contains(pair)).collect()
}
