//! Reassembles the results of a file that several batch workers read and
//! predict in parts. The page feeds it every message of the job, with the
//! parts' messages in any order, and gets the file's outcome in file
//! order, as one worker reading the whole file would give it.

use crate::input::{no_data_rows, InputFormat};
use crate::predict::PointPrediction;
use crate::web::batch::{FileOutcome, FileResult};
use crate::web::worker_protocol::Response;

/// Reading state of a part, as its messages report it.
#[derive(Debug, Default)]
enum PartRead {
    /// Not read yet.
    #[default]
    Waiting,
    Read { format: InputFormat, total_points: usize, row_errors: Vec<String>, slha_text: Option<String> },
    Failed(String),
}

/// The messages received so far of one part.
#[derive(Debug, Default)]
struct PartResults {
    read: PartRead,
    /// Predictions with rows counted from the part's first data row.
    predictions: Vec<PointPrediction>,
    masses_gev: Vec<(Option<f64>, Option<f64>)>,
    finished: bool,
    busy_ms: f64,
}

/// The parts of one job on their way back from the workers.
#[derive(Debug)]
pub struct JobAssembly {
    /// The file's name, the source of every prediction.
    name: String,
    /// 1-based line of the header of a split CSV file, for the error of a
    /// file without data rows.
    header_line: Option<usize>,
    parts: Vec<PartResults>,
}

impl JobAssembly {
    /// Starts the assembly of a file sent as `parts` parts.
    pub fn new(name: &str, parts: usize, header_line: Option<usize>) -> JobAssembly {
        JobAssembly { name: name.to_string(), header_line, parts: (0..parts.max(1)).map(|_| PartResults::default()).collect() }
    }

    /// Number of parts.
    pub fn parts(&self) -> usize {
        self.parts.len()
    }

    /// Takes one message of the job. Returns the file's outcome once every
    /// part has finished or once the first part in file order that failed
    /// is known, and `None` while more messages are needed. A message for a
    /// part that does not exist fails the job.
    pub fn receive(&mut self, response: Response) -> Option<FileOutcome> {
        let (_, part) = response.job_part();
        let Some(results) = self.parts.get_mut(part as usize) else {
            return Some(FileOutcome::Failed(format!("{}: the batch worker sent a message of unknown part {part}", self.name)));
        };
        match response {
            Response::Started { format, total_points, row_errors, slha_text, .. } => {
                results.predictions.reserve_exact(total_points);
                results.masses_gev.reserve_exact(total_points);
                results.read = PartRead::Read { format, total_points, row_errors, slha_text };
            }
            Response::Chunk { points, masses_gev, .. } => match points.unpack(&self.name, 0) {
                Ok(predictions) => {
                    results.predictions.extend(predictions);
                    results.masses_gev.extend(masses_gev);
                }
                Err(message) => results.read = PartRead::Failed(format!("{}: {message}", self.name)),
            },
            Response::Finished { busy_ms, .. } => {
                results.finished = true;
                results.busy_ms = busy_ms;
            }
            Response::Failed { message, .. } => results.read = PartRead::Failed(message),
        }
        self.outcome()
    }

    /// Returns the outcome when it is decided. One worker reading the
    /// whole file stops at its first whole-file error, so the first part
    /// that is not read decides: a failure there fails the file, and a
    /// part still waiting there leaves it open.
    fn outcome(&mut self) -> Option<FileOutcome> {
        if let Some(first_open) = self.parts.iter().find(|part| !matches!(part.read, PartRead::Read { .. })) {
            return match &first_open.read {
                PartRead::Failed(message) => Some(FileOutcome::Failed(message.clone())),
                _ => None,
            };
        }
        if let Some(header_line) = self.header_line {
            if self.data_rows() == 0 {
                return Some(FileOutcome::Failed(no_data_rows(&self.name, header_line).to_string()));
            }
        }
        if !self.parts.iter().all(|part| part.finished) {
            return None;
        }
        Some(self.assemble())
    }

    /// Data rows (points and unreadable rows) of all parts read so far.
    fn data_rows(&self) -> usize {
        self.parts
            .iter()
            .map(|part| match &part.read {
                PartRead::Read { total_points, row_errors, .. } => total_points + row_errors.len(),
                _ => 0,
            })
            .sum()
    }

    /// Joins the parts in file order, counting each part's rows on from the
    /// data rows of the parts before it.
    fn assemble(&mut self) -> FileOutcome {
        let mut result = FileResult {
            format: InputFormat::Csv,
            predictions: Vec::with_capacity(self.total_points()),
            masses_gev: Vec::with_capacity(self.total_points()),
            row_errors: Vec::new(),
            slha_text: None,
        };
        let mut rows_before = 0;
        for part in &mut self.parts {
            let PartRead::Read { format, total_points, row_errors, slha_text } = std::mem::take(&mut part.read) else {
                continue;
            };
            result.format = format;
            result.predictions.extend(std::mem::take(&mut part.predictions).into_iter().map(|mut prediction| {
                prediction.row += rows_before;
                prediction
            }));
            result.masses_gev.append(&mut part.masses_gev);
            rows_before += total_points + row_errors.len();
            result.row_errors.extend(row_errors);
            result.slha_text = result.slha_text.or(slha_text);
        }
        FileOutcome::Computed(result)
    }

    /// Returns whether every part has been read.
    pub fn is_read(&self) -> bool {
        self.parts.iter().all(|part| matches!(part.read, PartRead::Read { .. }))
    }

    /// Points predicted so far, over all parts.
    pub fn done_points(&self) -> usize {
        self.parts.iter().map(|part| part.predictions.len()).sum()
    }

    /// Points to predict in the parts read so far.
    pub fn total_points(&self) -> usize {
        self.parts
            .iter()
            .map(|part| match &part.read {
                PartRead::Read { total_points, .. } => *total_points,
                _ => 0,
            })
            .sum()
    }

    /// Milliseconds of work the workers reported for the finished parts, summed.
    pub fn busy_ms(&self) -> f64 {
        self.parts.iter().map(|part| part.busy_ms).sum()
    }
}
