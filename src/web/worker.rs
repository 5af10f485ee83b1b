//! The batch worker: a Web Worker, started by the page through gloo-worker,
//! that reads and predicts large input files, or parts of them, off the
//! page's thread. The page starts several to use several cores. Its
//! entry point is `src/bin/deepxs-worker.rs`.

use gloo_worker::{HandlerId, Registrable, Worker, WorkerScope};

use crate::pipeline::WeightSet;
use crate::web::batch_job::{BatchJob, CHUNK_POINTS};
use crate::web::network_files::load_network_files;
use crate::web::worker_protocol::{Request, Response};

/// Path of the worker's loader script that Trunk writes (`data-loader-shim`),
/// relative to the page.
pub const LOADER_PATH: &str = "./deepxs-worker_loader.js";

/// State of the batch worker.
pub struct BatchWorker {
    /// The last network set the page sent, or why it could not be loaded.
    networks: Result<WeightSet, String>,
    /// The running job and the page connection that asked for it.
    job: Option<(BatchJob, HandlerId)>,
    /// Milliseconds of work on the running job so far.
    busy_ms: f64,
}

/// A message the worker sends itself.
pub enum WorkerMessage {
    /// Predict the next chunk of this job.
    NextChunk(u64),
}

impl BatchWorker {
    /// Predicts one chunk of the running job and schedules the next one
    /// after a zero-delay timer, so that a cancel request gets through.
    fn run_chunk(&mut self, scope: &WorkerScope<Self>, job_id: u64) {
        let Some((job, handler)) = self.job.as_mut() else { return };
        if job.id != job_id {
            return;
        }
        let Ok(weights) = &self.networks else { return };
        let started_ms = js_sys::Date::now();
        let response = match job.next_chunk(weights, CHUNK_POINTS) {
            Response::Finished { job, part, .. } => Response::Finished { job, part, busy_ms: self.busy_ms },
            response => response,
        };
        let finished = matches!(response, Response::Finished { .. });
        scope.respond(*handler, response);
        self.busy_ms += js_sys::Date::now() - started_ms;
        if finished {
            self.job = None;
        } else {
            schedule_chunk(scope, job_id);
        }
    }
}

fn schedule_chunk(scope: &WorkerScope<BatchWorker>, job_id: u64) {
    scope.send_future(async move {
        gloo_timers::future::TimeoutFuture::new(0).await;
        WorkerMessage::NextChunk(job_id)
    });
}

impl Worker for BatchWorker {
    type Message = WorkerMessage;
    type Input = Request;
    type Output = Response;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        BatchWorker { networks: Err("the page sent no network set".into()), job: None, busy_ms: 0.0 }
    }

    fn update(&mut self, scope: &WorkerScope<Self>, message: Self::Message) {
        match message {
            WorkerMessage::NextChunk(job_id) => self.run_chunk(scope, job_id),
        }
    }

    fn received(&mut self, scope: &WorkerScope<Self>, request: Self::Input, handler: HandlerId) {
        match request {
            Request::LoadNetworks { files } => {
                let files: Vec<(String, Vec<u8>)> = files.into_iter().map(|file| (file.name, file.bytes)).collect();
                self.networks = load_network_files(&files);
            }
            Request::Compute { job, part, origin, file } => {
                self.job = None;
                if let Err(message) = &self.networks {
                    let message = format!("the batch worker has no network set: {message}");
                    scope.respond(handler, Response::Failed { job, part, message });
                    return;
                }
                let started_ms = js_sys::Date::now();
                let (started, response) = BatchJob::start(job, part, &file.name, &file.bytes, &origin);
                scope.respond(handler, response);
                self.busy_ms = js_sys::Date::now() - started_ms;
                if let Some(started) = started {
                    self.job = Some((started, handler));
                    schedule_chunk(scope, job);
                }
            }
            Request::Cancel { job } => {
                if self.job.as_ref().is_some_and(|(running, _)| running.id == job) {
                    self.job = None;
                }
            }
        }
    }
}

/// Starts the worker's message loop; called once by the worker's `main`.
pub fn register() {
    BatchWorker::registrar().register();
}
