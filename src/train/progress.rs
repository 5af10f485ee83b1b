//! A training observer for the command line: a progress bar per epoch, a
//! CSV training log and checkpoints of the best weights.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::export::write_network;
use super::mlp::Mlp;
use super::trainer::{EpochRecord, TrainObserver};
use super::TrainError;

/// Header of the training log.
pub const LOG_HEADER: &str =
    "network,epoch,restart,learning_rate,train_mape_percent,validation_mape_percent,validation_max_percent,samples_per_second,improved";

/// Shortest time between two checkpoint writes.
const CHECKPOINT_INTERVAL: Duration = Duration::from_secs(30);

/// Writes the log line of every epoch to a file, shows a progress bar
/// (hidden when `quiet`), and saves the best weights to
/// `<checkpoints>/<name>.safetensors` at most every 30 s.
pub struct CommandLineObserver {
    name: String,
    log: File,
    log_path: PathBuf,
    checkpoints: PathBuf,
    bar: ProgressBar,
    last_checkpoint: Instant,
    /// First write error, reported once instead of after every epoch.
    pub error: Option<TrainError>,
}

impl CommandLineObserver {
    /// Opens (appending) the log file, writing the header if it is new.
    pub fn new(name: &str, log_path: &Path, checkpoints: &Path, quiet: bool) -> Result<Self, TrainError> {
        let is_new = !log_path.exists();
        let mut log = File::options().create(true).append(true).open(log_path).map_err(|error| TrainError::io(log_path, error))?;
        if is_new {
            writeln!(log, "{LOG_HEADER}").map_err(|error| TrainError::io(log_path, error))?;
        }
        std::fs::create_dir_all(checkpoints).map_err(|error| TrainError::io(checkpoints, error))?;
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(0) };
        bar.set_style(
            ProgressStyle::with_template("{prefix} {bar:30} {pos}/{len} rows {msg}").unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(name.to_string());
        Ok(CommandLineObserver {
            name: name.to_string(),
            log,
            log_path: log_path.to_path_buf(),
            checkpoints: checkpoints.to_path_buf(),
            bar,
            last_checkpoint: Instant::now(),
            error: None,
        })
    }
}

impl TrainObserver for CommandLineObserver {
    fn batch(&mut self, rows_done: usize, rows_total: usize) {
        self.bar.set_length(rows_total as u64);
        self.bar.set_position(rows_done as u64);
    }

    fn epoch(&mut self, record: &EpochRecord, best: &Mlp) {
        self.bar.set_message(format!(
            "epoch {} lr {:.1e} validation MAPE {:.4} % max {:.3} %",
            record.epoch, record.learning_rate, record.validation_mape_percent, record.validation_max_percent
        ));
        let line = format!(
            "{},{},{},{:e},{:.6},{:.6},{:.6},{:.1},{}",
            self.name,
            record.epoch,
            record.restart,
            record.learning_rate,
            record.train_mape_percent,
            record.validation_mape_percent,
            record.validation_max_percent,
            record.samples_per_second,
            record.improved
        );
        if let Err(error) = writeln!(self.log, "{line}") {
            self.error.get_or_insert(TrainError::io(&self.log_path, error));
        }
        if record.improved && self.last_checkpoint.elapsed() >= CHECKPOINT_INTERVAL {
            if let Err(error) = write_network(&self.checkpoints, &self.name, best) {
                self.error.get_or_insert(error);
            }
            self.last_checkpoint = Instant::now();
        }
    }
}

impl Drop for CommandLineObserver {
    fn drop(&mut self) {
        self.bar.finish();
    }
}
