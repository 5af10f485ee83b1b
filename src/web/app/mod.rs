//! The calculator page: weight set, inputs (files or the form), results
//! and exports. The state and its updates live here, the views in `view`,
//! and the pMSSM and exact-LO tabs with their updates in `pmssm` and `exact_lo`.

mod exact_lo;
mod pmssm;
mod view;

use exact_lo::ExactLoState;

use std::rc::Rc;

use gloo_worker::{Spawnable, WorkerBridge};
use yew::prelude::*;

use crate::error::WeightsError;
use crate::input::Point;
use crate::pair::PAIRS;
use crate::pipeline::WeightSet;
use crate::predict::{predict, Order};
use crate::record::{Column, InputRecord, COLUMNS};
use crate::web::batch::{export_csv, export_json, predict_points, read_file, slha_with_xsection, FileOutcome, Unit};
use crate::web::assembly::JobAssembly;
use crate::web::batch_job::runs_in_worker;
use crate::web::file_parts::{header_line, split_file, worker_count};
use crate::web::browser;
use crate::web::network_files::{embedded_network_files, load_network_files, NetworkFiles};
use crate::web::worker::{BatchWorker, LOADER_PATH};
use crate::web::worker_protocol::{Request, Response, WireFile};
use crate::web::plot::Series;
use crate::spectrum::Spectrum;
use crate::web::form::{field_label, form_csv, preset_texts, validate_field, PRESETS};
use crate::web::pmssm::PMSSM_DEFAULTS;
use crate::web::results::{Sort, SortKey};

/// Source name of a spectrum typed in the form.
const FORM_SOURCE: &str = "typed-spectrum";

/// A large file being read and predicted by the batch workers, with the
/// messages received so far.
struct Job {
    upload_id: usize,
    /// Id of the job in the workers' messages.
    id: u64,
    parts: JobAssembly,
    started_ms: f64,
}

/// One batch worker and whether it has the page's current network set.
struct BatchWorkerHandle {
    bridge: WorkerBridge<BatchWorker>,
    has_networks: bool,
}

/// Largest number of markers per pair in the batch plot; larger batches
/// are thinned evenly.
const MAX_PLOT_POINTS: usize = 2000;

/// Largest number of points of a scan.
const MAX_SCAN_STEPS: usize = 400;

/// Mass on the x axis of the batch plot.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PlotAxis {
    Chargino,
    Neutralino,
}

/// Settings of the one-input scan, as typed.
struct ScanSettings {
    column: Column,
    from: String,
    to: String,
    steps: String,
}

/// State of the network set, with its origin when loaded.
#[derive(Clone)]
enum WeightsState {
    /// No set yet, with the reason (no embedded set, or a load error).
    Missing(String),
    /// A set, with the files it was loaded from, which the batch worker gets too.
    Loaded { weights: Rc<WeightSet>, origin: String, files: Rc<NetworkFiles> },
}

/// One uploaded input file.
struct Upload {
    id: usize,
    name: String,
    /// `None` while the browser is still reading the file.
    bytes: Option<Vec<u8>>,
    /// `None` until the file is read and a network set is loaded.
    outcome: Option<FileOutcome>,
    /// The whole file could not be read from disk.
    read_error: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Files,
    Form,
    Pmssm,
    ExactLo,
}

pub enum Msg {
    InputsPicked(Vec<web_sys::File>),
    InputRead { id: usize, bytes: Result<Vec<u8>, String> },
    RemoveInput(usize),
    ClearInputs,
    WeightFilesPicked(Vec<web_sys::File>),
    WeightFilesRead(Vec<(String, Result<Vec<u8>, String>)>),
    UseEmbedded,
    SetUnit(Unit),
    SetSort(SortKey),
    SetUncertaintyColumns(bool),
    SetTab(Tab),
    FormEdited(Column, String),
    FormPreset(usize),
    FormCompute,
    ExportCsv,
    ExportJson,
    CopyCsv,
    DownloadSlha(usize),
    Status(String),
    DragActive(bool),
    SetPlotAxis(PlotAxis),
    /// A message of the batch worker.
    Worker(Response),
    CancelJob,
    ScanColumn(Column),
    ScanFrom(String),
    ScanTo(String),
    ScanSteps(String),
    RunScan,
    PmssmEdited(usize, String),
    PmssmCompute,
    PdfFilesPicked(Vec<web_sys::File>),
    PdfFilesRead(Vec<(String, Result<Vec<u8>, String>)>),
    LoSqrtS(String),
    LoSource(String),
    LoCompute,
}

pub struct App {
    weights: WeightsState,
    embedded_available: bool,
    uploads: Vec<Upload>,
    next_id: usize,
    unit: Unit,
    sort: Sort,
    uncertainty_columns: bool,
    tab: Tab,
    /// Index into PRESETS of the preset last chosen.
    preset: usize,
    form: [String; 19],
    status: String,
    drag_active: bool,
    plot_axis: PlotAxis,
    scan: ScanSettings,
    /// The last scan's title and curves.
    scan_result: Option<(String, Vec<Series>)>,
    job: Option<Job>,
    /// Id of the last job sent to the batch worker.
    last_job_id: u64,
    /// The batch workers, started for the first large file.
    workers: Vec<BatchWorkerHandle>,
    /// The eight pMSSM parameters as typed, in the order of `PMSSM_FIELDS`.
    pmssm: [String; 8],
    /// The last tree-level spectrum computed from them.
    pmssm_spectrum: Option<Spectrum>,
    pmssm_error: Option<String>,
    /// Whether the form still contains the tree-level spectrum, unedited since it was filled.
    form_from_tree_level: bool,
    exact_lo: ExactLoState,
}

impl App {
    /// Computes every read upload that has no outcome yet, or all of them
    /// when the network set changed. Large files go to the batch workers one
    /// at a time; the others wait for it.
    fn compute(&mut self, ctx: &Context<Self>, all: bool) {
        let WeightsState::Loaded { weights, .. } = &self.weights else { return };
        let weights = Rc::clone(weights);
        if all {
            self.drop_job();
        }
        let mut next_job = None;
        for upload in &mut self.uploads {
            let running = self.job.as_ref().is_some_and(|job| job.upload_id == upload.id);
            let Some(bytes) = &upload.bytes else { continue };
            if running || !(all || upload.outcome.is_none()) {
                continue;
            }
            upload.outcome = None;
            if runs_in_worker(bytes) {
                if self.job.is_none() && next_job.is_none() {
                    next_job = Some(upload.id);
                }
                continue;
            }
            match read_file(&upload.name, bytes) {
                Err(message) => upload.outcome = Some(FileOutcome::Failed(message)),
                Ok(file) => {
                    let predictions = predict_points(&weights, &file.points);
                    upload.outcome = Some(FileOutcome::Computed(file.finish(predictions)));
                }
            }
        }
        if let Some(upload_id) = next_job {
            self.start_job(ctx, upload_id);
        }
    }

    /// Splits a large file into parts and sends one part to each batch
    /// worker, starting the workers and sending them the network set first
    /// when needed.
    fn start_job(&mut self, ctx: &Context<Self>, upload_id: usize) {
        let WeightsState::Loaded { files, .. } = &self.weights else { return };
        let Some(upload) = self.uploads.iter().find(|upload| upload.id == upload_id) else { return };
        let Some(bytes) = &upload.bytes else { return };
        // NOTE: gloo-worker reports no error when the worker's script fails
        // to load (a file missing from dist/), so such a job stays at
        // "Reading the file" until it is cancelled.
        while self.workers.len() < worker_count(browser::hardware_concurrency()) {
            let link = ctx.link().clone();
            let bridge = BatchWorker::spawner()
                .callback(move |response| link.send_message(Msg::Worker(response)))
                .spawn_with_loader(LOADER_PATH);
            self.workers.push(BatchWorkerHandle { bridge, has_networks: false });
        }

        let parts = split_file(bytes, self.workers.len());
        self.last_job_id += 1;
        let id = self.last_job_id;
        // A part's worker gets the network set first, once per set.
        for (index, (part, worker)) in parts.iter().zip(&mut self.workers).enumerate() {
            if !worker.has_networks {
                let files = files.iter().map(|(name, bytes)| WireFile { name: name.clone(), bytes: bytes.clone() }).collect();
                worker.bridge.send(Request::LoadNetworks { files });
                worker.has_networks = true;
            }
            let file = WireFile { name: upload.name.clone(), bytes: bytes[part.range.clone()].to_vec() };
            worker.bridge.send(Request::Compute { job: id, part: index as u32, origin: part.origin.clone(), file });
        }
        self.job = Some(Job {
            upload_id,
            id,
            parts: JobAssembly::new(&upload.name, parts.len(), header_line(&parts)),
            started_ms: browser::now_ms(),
        });
    }

    /// Marks every batch worker as lacking the page's network set, which
    /// has changed; each gets the new set before its next job.
    fn forget_worker_networks(&mut self) {
        for worker in &mut self.workers {
            worker.has_networks = false;
        }
    }

    /// Stops the running job, if any, in every worker, and returns it.
    fn drop_job(&mut self) -> Option<Job> {
        let job = self.job.take()?;
        for worker in &self.workers {
            worker.bridge.send(Request::Cancel { job: job.id });
        }
        Some(job)
    }

    /// Handles a message of a batch worker. Returns whether the page
    /// changed; messages of a cancelled or finished job change nothing.
    fn worker_response(&mut self, ctx: &Context<Self>, response: Response) -> bool {
        let (job_id, _) = response.job_part();
        let Some(job) = self.job.as_mut().filter(|job| job.id == job_id) else { return false };
        let Some(outcome) = job.parts.receive(response) else { return true };
        let Some(job) = self.drop_job() else { return false };
        if matches!(outcome, FileOutcome::Computed(_)) {
            let elapsed_ms = browser::now_ms() - job.started_ms;
            let workers = match job.parts.parts() {
                1 => "the background worker".to_string(),
                parts => format!("{parts} background workers"),
            };
            self.status = format!("Computed in {elapsed_ms:.0} ms in {workers} ({:.0} ms of work there).", job.parts.busy_ms());
        }
        if let Some(upload) = self.uploads.iter_mut().find(|upload| upload.id == job.upload_id) {
            upload.outcome = Some(outcome);
        }
        self.compute(ctx, false);
        true
    }

    fn outcomes(&self) -> Vec<&FileOutcome> {
        self.uploads.iter().filter_map(|upload| upload.outcome.as_ref()).collect()
    }

    fn add_upload(&mut self, name: String, bytes: Option<Vec<u8>>) -> usize {
        let id = self.next_id;
        self.next_id += 1;
        self.uploads.push(Upload { id, name, bytes, outcome: None, read_error: None });
        id
    }

    fn load_weight_files(&mut self, files: Vec<(String, Result<Vec<u8>, String>)>) {
        let mut contents: NetworkFiles = Vec::with_capacity(files.len());
        for (name, bytes) in files {
            match bytes {
                Ok(bytes) => contents.push((name, bytes)),
                Err(message) => {
                    self.weights = WeightsState::Missing(message);
                    return;
                }
            }
        }
        self.weights = match load_network_files(&contents) {
            Ok(weights) => {
                let pairs: Vec<&str> = weights.pairs().iter().map(|pair| pair.id()).collect();
                let origin = format!("loaded from {} chosen files; pairs {}", contents.len(), pairs.join(", "));
                WeightsState::Loaded { weights: Rc::new(weights), origin, files: Rc::new(contents) }
            }
            Err(message) => WeightsState::Missing(message),
        };
        self.forget_worker_networks();
    }

    fn use_embedded(&mut self) -> Result<(), WeightsError> {
        let weights = WeightSet::embedded()?;
        let files = Rc::new(embedded_network_files());
        self.weights = WeightsState::Loaded { weights: Rc::new(weights), origin: "embedded in this build".into(), files };
        self.forget_worker_networks();
        Ok(())
    }

    /// Varies one input of the form's spectrum over the scan range and
    /// returns the chart title and the LO and NLO curves of the four pairs.
    fn run_scan(&self) -> Result<(String, Vec<Series>), String> {
        let WeightsState::Loaded { weights, .. } = &self.weights else {
            return Err("Load a network set before scanning.".into());
        };
        let mut base = InputRecord::empty();
        for column in COLUMNS {
            let value = validate_field(column, &self.form[column.index()])
                .map_err(|message| format!("Scan needs a valid spectrum in the form: {} {message}.", column.name()))?;
            base.set(column, Some(value));
        }

        let column = self.scan.column;
        let from = validate_field(column, &self.scan.from).map_err(|message| format!("Scan start: {message}."))?;
        let to = validate_field(column, &self.scan.to).map_err(|message| format!("Scan end: {message}."))?;
        let steps: usize = self.scan.steps.trim().parse().map_err(|_| format!("Scan steps: '{}' is not a whole number.", self.scan.steps))?;
        if !(2..=MAX_SCAN_STEPS).contains(&steps) {
            return Err(format!("Scan steps must lie between 2 and {MAX_SCAN_STEPS}."));
        }

        let values: Vec<f64> = (0..steps).map(|index| from + (to - from) * index as f64 / (steps - 1) as f64).collect();
        let points: Vec<Point> = values
            .iter()
            .enumerate()
            .map(|(index, &value)| {
                let mut record = base;
                record.set(column, Some(value));
                Point::from_row("scan", index, index + 1, record)
            })
            .collect();
        let predictions = predict(weights, &points, &PAIRS, Order::Both);

        let mut series = Vec::new();
        for (colour, pair) in PAIRS.iter().enumerate() {
            let curve = |nlo: bool| -> Vec<(f64, f64)> {
                values
                    .iter()
                    .zip(&predictions)
                    .filter_map(|(&x, point)| {
                        let prediction = point.pairs.iter().find(|prediction| prediction.pair == *pair)?;
                        Some((x, if nlo { prediction.nlo_pb? } else { prediction.lo_pb? }))
                    })
                    .collect()
            };
            series.push(Series { label: format!("{} NLO", pair.label()), points: curve(true), line: true, dashed: false, colour });
            series.push(Series { label: format!("{} LO", pair.label()), points: curve(false), line: true, dashed: true, colour });
        }
        Ok((format!("σ against {} (other inputs from the form)", field_label(column)), series))
    }

    /// NLO of every computed point against the chosen mass, one series per pair.
    fn batch_series(&self) -> Vec<Series> {
        PAIRS
            .iter()
            .enumerate()
            .map(|(colour, pair)| {
                let mut points = Vec::new();
                for outcome in self.outcomes() {
                    let FileOutcome::Computed(result) = outcome else { continue };
                    for (point, masses) in result.predictions.iter().zip(&result.masses_gev) {
                        let mass = match self.plot_axis {
                            PlotAxis::Chargino => masses.0,
                            PlotAxis::Neutralino => masses.1,
                        };
                        let nlo = point.pairs.iter().find(|prediction| prediction.pair == *pair).and_then(|prediction| prediction.nlo_pb);
                        if let (Some(mass), Some(nlo)) = (mass, nlo) {
                            points.push((mass, nlo));
                        }
                    }
                }
                // Thousands of SVG markers slow the page down without showing more.
                let stride = points.len().div_ceil(MAX_PLOT_POINTS).max(1);
                let points = points.into_iter().step_by(stride).collect();
                Series { label: format!("{} NLO", pair.label()), points, line: false, dashed: false, colour }
            })
            .collect()
    }

    fn export_name(&self, extension: &str) -> String {
        format!("deepxs-results.{extension}")
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(_ctx: &Context<Self>) -> Self {
        let (weights, embedded_available) = match WeightSet::embedded() {
            Ok(weights) => (
                WeightsState::Loaded {
                    weights: Rc::new(weights),
                    origin: "embedded in this build".into(),
                    files: Rc::new(embedded_network_files()),
                },
                true,
            ),
            Err(WeightsError::NoEmbeddedWeights) => (WeightsState::Missing("this build has no embedded network set".into()), false),
            Err(error) => (WeightsState::Missing(error.to_string()), false),
        };
        App {
            weights,
            embedded_available,
            uploads: Vec::new(),
            next_id: 0,
            unit: Unit::Picobarn,
            sort: Sort::default(),
            uncertainty_columns: false,
            tab: Tab::Files,
            preset: 0,
            form: preset_texts(&PRESETS[0]),
            status: String::new(),
            drag_active: false,
            plot_axis: PlotAxis::Chargino,
            scan: ScanSettings { column: Column::MChi1pm, from: "150".into(), to: "1500".into(), steps: "60".into() },
            scan_result: None,
            job: None,
            last_job_id: 0,
            workers: Vec::new(),
            pmssm: PMSSM_DEFAULTS.map(str::to_string),
            pmssm_spectrum: None,
            pmssm_error: None,
            form_from_tree_level: false,
            exact_lo: ExactLoState::new(),
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::InputsPicked(files) => {
                for file in files {
                    let id = self.add_upload(file.name(), None);
                    ctx.link().send_future(async move { Msg::InputRead { id, bytes: browser::read_bytes(file).await } });
                }
                self.status = "Reading files…".into();
            }
            Msg::InputRead { id, bytes } => {
                if let Some(upload) = self.uploads.iter_mut().find(|upload| upload.id == id) {
                    match bytes {
                        Ok(bytes) => upload.bytes = Some(bytes),
                        Err(message) => upload.read_error = Some(message),
                    }
                }
                let started = browser::now_ms();
                self.compute(ctx, false);
                let pending = self.uploads.iter().filter(|upload| upload.bytes.is_none() && upload.read_error.is_none()).count();
                self.status = if pending > 0 {
                    format!("Reading files… {pending} left")
                } else if self.job.is_some() {
                    "Computing a large file…".to_string()
                } else {
                    format!("Computed in {:.0} ms.", browser::now_ms() - started)
                };
            }
            Msg::RemoveInput(id) => {
                if self.job.as_ref().is_some_and(|job| job.upload_id == id) {
                    self.drop_job();
                }
                self.uploads.retain(|upload| upload.id != id);
                self.compute(ctx, false);
            }
            Msg::ClearInputs => {
                self.drop_job();
                self.uploads.clear();
                self.status = "Inputs cleared.".into();
            }
            Msg::WeightFilesPicked(files) => {
                if files.is_empty() {
                    return false;
                }
                self.status = "Reading the network set…".into();
                ctx.link().send_future(async move {
                    let mut contents = Vec::new();
                    for file in files {
                        let name = file.name();
                        contents.push((name, browser::read_bytes(file).await));
                    }
                    Msg::WeightFilesRead(contents)
                });
            }
            Msg::WeightFilesRead(files) => {
                self.load_weight_files(files);
                self.compute(ctx, true);
                self.status = match &self.weights {
                    WeightsState::Loaded { origin, .. } => format!("Network set {origin}."),
                    WeightsState::Missing(message) => format!("Network set not loaded: {message}"),
                };
            }
            Msg::UseEmbedded => match self.use_embedded() {
                Ok(()) => self.compute(ctx, true),
                Err(error) => self.status = format!("The embedded network set could not be loaded: {error}"),
            },
            Msg::SetUnit(unit) => self.unit = unit,
            Msg::SetSort(key) => self.sort = self.sort.clicked(key),
            Msg::SetUncertaintyColumns(on) => self.uncertainty_columns = on,
            Msg::SetTab(tab) => self.tab = tab,
            Msg::FormEdited(column, text) => {
                self.form[column.index()] = text;
                self.form_from_tree_level = false;
            }
            Msg::FormPreset(index) => {
                if let Some(preset) = PRESETS.get(index) {
                    self.preset = index;
                    self.form_from_tree_level = false;
                    self.form = preset_texts(preset);
                }
            }
            Msg::FormCompute => {
                let invalid: Vec<&str> = COLUMNS
                    .iter()
                    .filter(|column| validate_field(**column, &self.form[column.index()]).is_err())
                    .map(|column| column.name())
                    .collect();
                if !invalid.is_empty() {
                    self.status = format!("Fix the marked fields first: {}.", invalid.join(", "));
                    return true;
                }
                self.add_upload(FORM_SOURCE.to_string(), Some(form_csv(&self.form).into_bytes()));
                self.compute(ctx, false);
                self.tab = Tab::Files;
                self.status = "Typed spectrum added to the results.".into();
            }
            Msg::ExportCsv => {
                let text = export_csv(&self.outcomes(), self.uncertainty_columns);
                if let Err(message) = browser::download(&self.export_name("csv"), "text/csv", &text) {
                    self.status = message;
                }
            }
            Msg::ExportJson => {
                let text = export_json(&self.outcomes());
                if let Err(message) = browser::download(&self.export_name("json"), "application/json", &text) {
                    self.status = message;
                }
            }
            Msg::CopyCsv => {
                let text = export_csv(&self.outcomes(), self.uncertainty_columns);
                ctx.link().send_future(async move {
                    match browser::copy_text(text).await {
                        Ok(()) => Msg::Status("CSV copied to the clipboard.".into()),
                        Err(message) => Msg::Status(message),
                    }
                });
            }
            Msg::DownloadSlha(id) => {
                let Some(upload) = self.uploads.iter().find(|upload| upload.id == id) else { return false };
                match upload.outcome.as_ref().and_then(slha_with_xsection) {
                    Some(text) => {
                        if let Err(message) = browser::download(&upload.name, "text/plain", &text) {
                            self.status = message;
                        }
                    }
                    None => self.status = format!("{}: no valid cross section to write", upload.name),
                }
            }
            Msg::Status(message) => self.status = message,
            Msg::DragActive(active) => self.drag_active = active,
            Msg::SetPlotAxis(axis) => self.plot_axis = axis,
            Msg::Worker(response) => return self.worker_response(ctx, response),
            Msg::CancelJob => {
                if let Some(job) = self.drop_job() {
                    // With several workers, one part may have computed points
                    // while another is still reading its share of the file.
                    let message = if job.parts.is_read() {
                        format!("Cancelled after {} of {} points.", job.parts.done_points(), job.parts.total_points())
                    } else if job.parts.done_points() > 0 {
                        format!("Cancelled after {} points, while the file was still being read.", job.parts.done_points())
                    } else {
                        "Cancelled while the file was being read.".to_string()
                    };
                    if let Some(upload) = self.uploads.iter_mut().find(|upload| upload.id == job.upload_id) {
                        upload.outcome = Some(FileOutcome::Failed(message.clone()));
                    }
                    self.status = message;
                    self.compute(ctx, false);
                }
            }
            Msg::ScanColumn(column) => self.scan.column = column,
            Msg::ScanFrom(text) => self.scan.from = text,
            Msg::ScanTo(text) => self.scan.to = text,
            Msg::ScanSteps(text) => self.scan.steps = text,
            Msg::RunScan => match self.run_scan() {
                Ok(result) => {
                    self.status = format!("Scan of {} computed.", self.scan.column.name());
                    self.scan_result = Some(result);
                }
                Err(message) => self.status = message,
            },
            Msg::PmssmEdited(index, text) => {
                if let Some(field) = self.pmssm.get_mut(index) {
                    *field = text;
                }
            }
            Msg::PmssmCompute => self.compute_pmssm(ctx),
            Msg::PdfFilesPicked(files) => {
                if files.is_empty() {
                    return false;
                }
                self.status = "Reading the LHAPDF6 set…".into();
                ctx.link().send_future(async move {
                    let mut contents = Vec::new();
                    for file in files {
                        let name = file.name();
                        contents.push((name, browser::read_bytes(file).await));
                    }
                    Msg::PdfFilesRead(contents)
                });
            }
            Msg::PdfFilesRead(files) => self.load_pdf_files(files),
            Msg::LoSqrtS(text) => self.exact_lo.sqrt_s = text,
            Msg::LoSource(choice) => self.exact_lo.source = choice,
            Msg::LoCompute => self.compute_exact_lo(),
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let tab_button = |tab: Tab, label: &str, id: &str| {
            let selected = self.tab == tab;
            html! {
                <button type="button" role="tab" id={id.to_string()} aria-selected={selected.to_string()}
                    class={classes!("tab", selected.then_some("selected"))}
                    onclick={link.callback(move |_| Msg::SetTab(tab))}>{ label.to_string() }</button>
            }
        };
        html! {
            <>
            <header>
                <h1>{ "DeepXS calculator" }</h1>
                <p class="lead">{ "LO, K-factor and NLO cross sections for electroweakino pair production at the 13 TeV LHC, computed in this page by the same code as the deepxs command-line tool. Nothing leaves your computer." }</p>
            </header>
            <main>
                { self.view_weights(ctx) }
                <nav role="tablist" aria-label="Input mode">
                    { tab_button(Tab::Files, "Files", "tab-files") }
                    { tab_button(Tab::Form, "Type a spectrum", "tab-form") }
                    { tab_button(Tab::Pmssm, "pMSSM parameters", "tab-pmssm") }
                    { tab_button(Tab::ExactLo, "Exact LO", "tab-exact-lo") }
                </nav>
                <section role="tabpanel" class="panel">
                    { match self.tab {
                        Tab::Files => self.view_drop_zone(ctx),
                        Tab::Form => self.view_form(ctx),
                        Tab::Pmssm => self.view_pmssm(ctx),
                        Tab::ExactLo => self.view_exact_lo(ctx),
                    } }
                </section>
                <p class="status" role="status" aria-live="polite">{ self.status.clone() }</p>
                { self.view_results(ctx) }
            </main>
            </>
        }
    }
}
