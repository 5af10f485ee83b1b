//! The web calculator's batch worker, natively: its messages must survive
//! gloo-worker's bincode encoding unchanged, and a file predicted chunk by
//! chunk must give what one call on the page's thread gives.

mod common;

use deepxs::checks::Warning;
use deepxs::pair::Pair;
use deepxs::predict::{PairPrediction, PointPrediction, Status};
use deepxs::web::batch::{compute_file, FileOutcome};
use deepxs::web::batch_job::{runs_in_worker, BatchJob, WORKER_ABOVE_LINES};
use deepxs::web::network_files::{load_network_files, NetworkFiles};
use deepxs::web::worker_protocol::{Request, Response, WireFile, WirePoint};

use common::tiny_weights::tiny_weight_files;

fn tiny_network_files() -> NetworkFiles {
    let (manifest, networks) = tiny_weight_files();
    let mut files: NetworkFiles = vec![("manifest.json".to_string(), manifest.into_bytes())];
    files.extend(networks.into_iter().map(|(name, bytes)| (format!("{name}.safetensors"), bytes)));
    files
}

/// Encodes and decodes a message as gloo-worker's default codec does.
fn through_bincode<T: serde::Serialize + serde::de::DeserializeOwned>(message: &T) -> T {
    let bytes = bincode::serialize(message).expect("message encodes");
    bincode::deserialize(&bytes).expect("message decodes")
}

/// A table of the control rows repeated with shifted chargino masses, and
/// one unreadable row.
fn generated_table(rows: usize) -> String {
    let control = std::fs::read_to_string("tests/data/good/control.csv").expect("control table is readable");
    let mut lines = control.lines();
    let header = lines.next().expect("control table has a header");
    let body: Vec<&str> = lines.collect();
    let mut table = format!("{header}\n");
    for index in 0..rows {
        let mut fields: Vec<String> = body[index % body.len()].split(',').map(str::to_string).collect();
        let chargino: f64 = fields[9].parse().expect("m_chi1pm is a number");
        fields[9] = format!("{}", chargino + index as f64);
        table.push_str(&fields.join(","));
        table.push('\n');
        if index == rows / 2 {
            table.push_str("not,a,row\n");
        }
    }
    table
}

fn pair_with_every_warning() -> PairPrediction {
    PairPrediction {
        pair: Pair::N2c1m,
        status: Status::Invalid { reason: "K is not positive".into() },
        lo_pb: Some(1.5e-3),
        k: None,
        nlo_pb: None,
        lo_relative_uncertainty: Some(0.01),
        k_relative_uncertainty: None,
        nlo_relative_uncertainty: None,
        warnings: vec![
            Warning::NeutralinoNotLsp { lsp_pdg: 1000015, lsp_mass_gev: 90.0, neutralino_mass_gev: 120.0 },
            Warning::LightSquark { pdg: 1000001, mass_gev: 450.0 },
            Warning::LightChargino { mass_gev: 95.0 },
            Warning::BelowExperimentalReach { sigma_pb: 1e-5 },
            Warning::BelowTrainingMinimum { sigma_pb: 1e-9 },
            Warning::Extrapolation { input: "m_gluino".into(), value: 9000.0, allowed: "200 to 8000 GeV".into() },
            Warning::GeneratorError { message: "SPINFO 4: no convergence".into() },
        ],
    }
}

#[test]
fn predictions_survive_bincode() {
    let weights = load_network_files(&tiny_network_files()).expect("tiny set loads from its files");
    let slha = std::fs::read("tests/data/wino_lsp.slha").expect("SLHA fixture is readable");
    let FileOutcome::Computed(result) = compute_file(&weights, "wino_lsp.slha", &slha) else {
        panic!("wino_lsp.slha is computed");
    };
    let mut predictions = result.predictions;
    predictions.push(PointPrediction {
        source: "made-up".into(),
        row: 7,
        pairs: vec![
            pair_with_every_warning(),
            PairPrediction { status: Status::NotComputable { missing: vec!["N21".into(), "N22".into()] }, ..pair_with_every_warning() },
        ],
    });

    let chunk = Response::Chunk {
        job: 3,
        points: predictions.iter().cloned().map(WirePoint::from).collect(),
        masses_gev: vec![(Some(305.0), None); predictions.len()],
    };
    let Response::Chunk { job, points, masses_gev } = through_bincode(&chunk) else { panic!("a chunk decodes as a chunk") };
    assert_eq!(job, 3);
    assert_eq!(masses_gev, vec![(Some(305.0), None); predictions.len()]);
    let decoded: Vec<PointPrediction> = points.into_iter().map(PointPrediction::from).collect();
    assert_eq!(decoded, predictions);
}

#[test]
fn requests_survive_bincode() {
    let file = WireFile { name: "large.csv".into(), bytes: vec![0, 1, 2, 255, b'\n'] };
    for request in [
        Request::LoadNetworks { files: vec![file.clone()] },
        Request::Compute { job: 9, file },
        Request::Cancel { job: 9 },
    ] {
        assert_eq!(through_bincode(&request), request);
    }
}

#[test]
fn chunked_job_equals_one_call() {
    let weights = load_network_files(&tiny_network_files()).expect("tiny set loads from its files");
    let table = generated_table(23);
    let FileOutcome::Computed(expected) = compute_file(&weights, "generated.csv", table.as_bytes()) else {
        panic!("the generated table is computed");
    };

    let (job, started) = BatchJob::start(5, "generated.csv", table.as_bytes());
    let mut job = job.expect("the generated table starts a job");
    let Response::Started { job: id, format, total_points, row_errors, slha_text } = started else {
        panic!("the job starts with Started, got {started:?}");
    };
    assert_eq!(id, 5);
    assert_eq!(format, expected.format);
    assert_eq!(total_points, 23);
    assert_eq!(row_errors, expected.row_errors);
    assert_eq!(row_errors.len(), 1, "the unreadable row is reported");
    assert_eq!(slha_text, None);

    let mut predictions = Vec::new();
    let mut masses = Vec::new();
    let mut chunks = 0;
    loop {
        match job.next_chunk(&weights, 5) {
            Response::Chunk { job: id, points, masses_gev } => {
                assert_eq!(id, 5);
                assert!(points.len() <= 5, "a chunk has at most the requested points");
                predictions.extend(points.into_iter().map(PointPrediction::from));
                masses.extend(masses_gev);
                chunks += 1;
            }
            Response::Finished { job: id, .. } => {
                assert_eq!(id, 5);
                break;
            }
            other => panic!("unexpected message {other:?}"),
        }
    }
    assert_eq!(chunks, 5);
    assert_eq!(predictions, expected.predictions);
    assert_eq!(masses, expected.masses_gev);
}

#[test]
fn unreadable_file_fails_job() {
    let bytes = std::fs::read("tests/data/bad/binary_junk.bin").expect("junk fixture is readable");
    let (job, response) = BatchJob::start(2, "binary_junk.bin", &bytes);
    assert!(job.is_none());
    let Response::Failed { job: id, message } = response else { panic!("junk fails, got {response:?}") };
    assert_eq!(id, 2);
    assert!(message.contains("binary_junk.bin"), "the message names the file: {message}");
}

#[test]
fn worker_threshold_counts_lines() {
    let lines = |count: usize| "1,2,3\n".repeat(count).into_bytes();
    assert!(!runs_in_worker(&lines(WORKER_ABOVE_LINES)));
    assert!(runs_in_worker(&lines(WORKER_ABOVE_LINES + 1)));
    assert!(!runs_in_worker(b"BLOCK MASS\n  1000024  305.0\n"));
}

#[test]
fn network_files_name_missing_file() {
    let mut files = tiny_network_files();
    files.retain(|(name, _)| name != "c1c1_tiny_lo.safetensors");
    let error = load_network_files(&files).expect_err("a set without one network fails");
    assert!(error.contains("c1c1_tiny_lo.safetensors"), "the message names the file: {error}");

    files.retain(|(name, _)| name != "manifest.json");
    let error = load_network_files(&files).expect_err("a set without a manifest fails");
    assert!(error.contains("manifest.json"), "the message names the manifest: {error}");
}
