//! The job of the batch worker: it reads a large input file once, then
//! predicts its points chunk by chunk, so that the page can show the
//! progress and a cancel request is handled between two chunks.

use crate::input::Point;
use crate::pipeline::WeightSet;
use crate::web::batch::{plot_masses_gev, predict_points};
use crate::web::file_parts::{read_part, PartOrigin};
use crate::web::worker_protocol::{PackedPredictions, Response};

/// Inputs with more lines than this are computed in the batch worker, the
/// smaller ones on the page's thread. The worker first has to start its own
/// wasm module and load the network set, so a small file gets its result
/// sooner on the page. There 5 000 points block the page for about 60 ms
/// at 90 000 points/s, the rate measured on an idle 2-core machine.
pub const WORKER_ABOVE_LINES: usize = 5_000;

/// Points per chunk: about 50 ms of work in the worker, so progress moves
/// smoothly and a cancel request waits at most that long.
pub const CHUNK_POINTS: usize = 5_000;

/// Returns whether an input file goes to the batch worker. Lines count the
/// rows of tables without parsing them, which would block the page.
pub fn runs_in_worker(bytes: &[u8]) -> bool {
    bytes.iter().filter(|&&byte| byte == b'\n').count() > WORKER_ABOVE_LINES
}

/// A read input file, or part of one, whose points are predicted chunk by chunk.
#[derive(Debug)]
pub struct BatchJob {
    pub id: u64,
    /// Index of the file part in the job.
    pub part: u32,
    points: Vec<Point>,
    /// Index of the first point not yet predicted.
    next: usize,
}

impl BatchJob {
    /// Reads the file part. Returns the job and its [`Response::Started`],
    /// or no job and [`Response::Failed`] when the part cannot be read as a whole.
    pub fn start(id: u64, part: u32, name: &str, bytes: &[u8], origin: &PartOrigin) -> (Option<BatchJob>, Response) {
        match read_part(name, bytes, origin) {
            Err(message) => (None, Response::Failed { job: id, part, message }),
            Ok(file) => {
                let started = Response::Started {
                    job: id,
                    part,
                    format: file.format,
                    total_points: file.points.len(),
                    row_errors: file.row_errors,
                    slha_text: file.slha_text,
                };
                (Some(BatchJob { id, part, points: file.points, next: 0 }), started)
            }
        }
    }

    /// Predicts up to `max_points` further points and returns them as a
    /// [`Response::Chunk`], or [`Response::Finished`] when none are left.
    /// The caller, which measures time, fills in `busy_ms`.
    pub fn next_chunk(&mut self, weights: &WeightSet, max_points: usize) -> Response {
        if self.is_finished() {
            return Response::Finished { job: self.id, part: self.part, busy_ms: 0.0 };
        }
        let end = (self.next + max_points.max(1)).min(self.points.len());
        let points = &self.points[self.next..end];
        let predictions = predict_points(weights, points);
        self.next = end;
        Response::Chunk {
            job: self.id,
            part: self.part,
            points: PackedPredictions::pack(predictions),
            masses_gev: points.iter().map(plot_masses_gev).collect(),
        }
    }

    pub fn is_finished(&self) -> bool {
        self.next >= self.points.len()
    }
}
