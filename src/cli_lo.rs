//! The `lo` subcommand: exact leading-order cross sections for spectrum files.
//!
//! The main binary owns argument parsing and the spectrum readers. It passes
//! [`LoArgs`] and a function that turns one input file into spectra.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::atomic_write::replace_file;
use crate::physics::{LoCrossSection, LoEngine, Pair, PdfSet};
use crate::spectrum::Spectrum;
use crate::xsection::{append_to_slha, format_blocks, XsectionValue, PROGRAM_EXACT_LO};

/// Output formats of the `lo` subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LoFormat {
    Table,
    Csv,
    Json,
    Slha,
}

/// Options of `deepxs lo`.
#[derive(Debug, Clone, clap::Args)]
pub struct LoArgs {
    /// Directory of an LHAPDF6 set (the `.info` file and member 0, `<name>_0000.dat`).
    #[arg(long, value_name = "DIR")]
    pub pdf: PathBuf,
    /// Proton–proton collision energy √s in GeV.
    #[arg(long, value_name = "GEV", default_value_t = 13000.0)]
    pub sqrts: f64,
    /// Pairs to compute: `all`, or comma-separated ids such as n2n2,n2c1p,n2c1m,c1c1.
    #[arg(long, value_name = "all|IDS", default_value = "all")]
    pub pairs: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LoFormat::Table)]
    pub format: LoFormat,
    /// Write XSECTION blocks into the input SLHA files.
    #[arg(long)]
    pub write_xsection: bool,
    /// Spectrum files.
    #[arg(value_name = "FILES", required = true)]
    pub files: Vec<PathBuf>,
}

/// One computed row of output.
struct OutputRow {
    source: String,
    row: usize,
    result: LoCrossSection,
}

/// Runs `deepxs lo` and returns the process exit status: 0 on success, 1 when
/// an input file failed (the other files are still computed), 2 on invalid
/// options or an unreadable PDF set.
pub fn run_lo(
    args: &LoArgs,
    read_spectrum: &dyn Fn(&Path) -> Result<Vec<(String, usize, Spectrum)>, String>,
) -> i32 {
    let pairs = match Pair::parse_list(&args.pairs) {
        Ok(pairs) => pairs,
        Err(error) => {
            eprintln!("error: --pairs: {error}");
            return 2;
        }
    };
    let pdf = match load_pdf_set(&args.pdf) {
        Ok(pdf) => pdf,
        Err(message) => {
            eprintln!("error: {message}");
            return 2;
        }
    };
    let engine = match LoEngine::new(&pdf, args.sqrts) {
        Ok(engine) => engine,
        Err(error) => {
            eprintln!("error: --sqrts: {error}");
            return 2;
        }
    };

    let mut status = 0;
    let mut rows = Vec::new();
    for file in &args.files {
        let spectra = match read_spectrum(file) {
            Ok(spectra) => spectra,
            Err(message) => {
                // The reader's messages start with the file name.
                eprintln!("error: {message}");
                status = 1;
                continue;
            }
        };
        for (source, row, spectrum) in spectra {
            match engine.cross_sections(&spectrum, &pairs) {
                Ok(results) => rows.extend(results.into_iter().map(|result| OutputRow {
                    source: source.clone(),
                    row,
                    result,
                })),
                Err(error) => {
                    eprintln!("error: {source}, row {row}: {error}");
                    status = 1;
                }
            }
        }
    }

    let text = match args.format {
        LoFormat::Table => format_table(&rows),
        LoFormat::Csv => format_csv(&rows),
        LoFormat::Json => format_json(&rows, args.sqrts, &pdf),
        LoFormat::Slha => format_slha(&rows, args.sqrts, pdf.lhapdf_id.unwrap_or(0)),
    };
    print!("{text}");
    if args.write_xsection && write_xsection(&args.files, &rows, args.sqrts, pdf.lhapdf_id.unwrap_or(0)) > 0 {
        status = 1;
    }
    status
}

/// XSECTION values (LO, individual squark masses) of the rows of one source;
/// `pdf_id` is the LHAPDF ID of the parton densities (0 if unknown).
fn xsection_values(rows: &[OutputRow], source: &str, sqrt_s_gev: f64, pdf_id: i64) -> Vec<XsectionValue> {
    rows.iter()
        .filter(|row| row.source == source)
        .map(|row| {
            let (pdg_a, pdg_b) = row.result.pair.pdg_codes();
            XsectionValue { pdg: [pdg_a, pdg_b], sqrts_gev: sqrt_s_gev, qcd_order: 0, pdf_id, sigma_pb: row.result.lo_pb }
        })
        .collect()
}

/// Appends the LO values to each input SLHA file, atomically, under the code
/// name [`PROGRAM_EXACT_LO`]. Returns the number of files that failed.
fn write_xsection(files: &[PathBuf], rows: &[OutputRow], sqrt_s_gev: f64, pdf_id: i64) -> usize {
    let mut failures = 0;
    for file in files {
        let source = file.display().to_string();
        let values = xsection_values(rows, &source, sqrt_s_gev, pdf_id);
        if values.is_empty() {
            continue;
        }
        let result = std::fs::read_to_string(file)
            .map_err(|error| format!("{source}: cannot read: {error}"))
            .and_then(|text| {
                let updated = append_to_slha(&text, &values, PROGRAM_EXACT_LO, crate::VERSION);
                replace_file(file, &updated)
            });
        if let Err(message) = result {
            eprintln!("error: {message}");
            failures += 1;
        }
    }
    failures
}

/// Reads the LHAPDF6 set in `dir`: the single `.info` file and its member 0.
fn load_pdf_set(dir: &Path) -> Result<PdfSet, String> {
    let entries = std::fs::read_dir(dir).map_err(|error| format!("cannot read PDF directory {}: {error}", dir.display()))?;
    let mut info_files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "info"))
        .collect();
    info_files.sort();
    let info_path = match info_files.as_slice() {
        [single] => single.clone(),
        [] => return Err(format!("no .info file in PDF directory {}; pass an LHAPDF6 set directory", dir.display())),
        _ => return Err(format!("several .info files in PDF directory {}; pass one LHAPDF6 set directory", dir.display())),
    };
    let name = info_path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let data_path = dir.join(format!("{name}_0000.dat"));
    let info = std::fs::read_to_string(&info_path).map_err(|error| format!("cannot read {}: {error}", info_path.display()))?;
    let data = std::fs::read_to_string(&data_path).map_err(|error| format!("cannot read {}: {error}", data_path.display()))?;
    PdfSet::from_lhapdf_strings(&info, &data, &data_path.display().to_string()).map_err(|error| error.to_string())
}

fn format_table(rows: &[OutputRow]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{:<32} {:>5}  {:<6} {:>14} {:>18}", "source", "row", "pair", "LO [pb]", "LO degenerate [pb]");
    for row in rows {
        let _ = writeln!(
            out,
            "{:<32} {:>5}  {:<6} {:>14.6e} {:>18.6e}",
            row.source,
            row.row,
            row.result.pair.to_string(),
            row.result.lo_pb,
            row.result.lo_degenerate_pb
        );
    }
    out
}

fn format_csv(rows: &[OutputRow]) -> String {
    let mut out = String::from("source,row,pair,lo_pb,lo_degenerate_pb\n");
    for row in rows {
        let source = if row.source.contains([',', '"', '\n']) {
            format!("\"{}\"", row.source.replace('"', "\"\""))
        } else {
            row.source.clone()
        };
        let _ = writeln!(
            out,
            "{source},{},{},{:e},{:e}",
            row.row, row.result.pair, row.result.lo_pb, row.result.lo_degenerate_pb
        );
    }
    out
}

fn format_json(rows: &[OutputRow], sqrt_s_gev: f64, pdf: &PdfSet) -> String {
    let entries: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            let (pdg_a, pdg_b) = row.result.pair.pdg_codes();
            serde_json::json!({
                "source": row.source,
                "row": row.row,
                "pair": row.result.pair.to_string(),
                "pdg": [pdg_a, pdg_b],
                "sqrt_s_gev": sqrt_s_gev,
                "pdf_lhapdf_id": pdf.lhapdf_id,
                "lo_pb": row.result.lo_pb,
                "lo_degenerate_pb": row.result.lo_degenerate_pb,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&entries).unwrap_or_else(|_| "[]".to_string());
    text.push('\n');
    text
}

/// XSECTION blocks of every row (LO with individual squark masses; the
/// degenerate value has no slot of its own in an XSECTION line).
fn format_slha(rows: &[OutputRow], sqrt_s_gev: f64, pdf_id: i64) -> String {
    let mut out = String::new();
    let mut current: Option<(&str, usize)> = None;
    for row in rows {
        if current == Some((row.source.as_str(), row.row)) {
            continue;
        }
        current = Some((row.source.as_str(), row.row));
        let _ = writeln!(out, "# {} row {}", row.source, row.row);
        let same_point: Vec<&OutputRow> = rows.iter().filter(|other| other.source == row.source && other.row == row.row).collect();
        let values: Vec<XsectionValue> = same_point
            .iter()
            .map(|other| {
                let (pdg_a, pdg_b) = other.result.pair.pdg_codes();
                XsectionValue { pdg: [pdg_a, pdg_b], sqrts_gev: sqrt_s_gev, qcd_order: 0, pdf_id, sigma_pb: other.result.lo_pb }
            })
            .collect();
        out.push_str(&format_blocks(&values, PROGRAM_EXACT_LO, crate::VERSION));
    }
    out
}
