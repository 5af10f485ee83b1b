//! The web calculator's batch workers, natively: their messages must
//! survive gloo-worker's bincode encoding unchanged, and a file predicted
//! chunk by chunk, whole or split into parts for several workers, must give
//! what one call on the page's thread gives.

mod common;

use deepxs::checks::Warning;
use deepxs::pair::Pair;
use deepxs::predict::{PairPrediction, PointPrediction, Status};
use deepxs::pipeline::WeightSet;
use deepxs::web::assembly::JobAssembly;
use deepxs::web::batch::{compute_file, FileOutcome, FileResult};
use deepxs::web::batch_job::{runs_in_worker, BatchJob, WORKER_ABOVE_LINES};
use deepxs::web::file_parts::{header_line, split_file, worker_count, FilePart, PartOrigin, MAX_WORKERS};
use deepxs::web::network_files::{load_network_files, NetworkFiles};
use deepxs::web::worker_protocol::{PackedPredictions, Request, Response, WireFile};

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
            PairPrediction { status: Status::NotComputable { missing: vec!["N21".to_string(), "N22".to_string()].into() }, ..pair_with_every_warning() },
        ],
    });

    // Every point of a chunk comes from one file.
    for point in &mut predictions {
        point.source = "wino_lsp.slha".into();
    }

    let chunk = Response::Chunk {
        job: 3,
        part: 1,
        points: PackedPredictions::pack(predictions.clone()),
        masses_gev: vec![(Some(305.0), None); predictions.len()],
    };
    let Response::Chunk { job, part, points, masses_gev } = through_bincode(&chunk) else { panic!("a chunk decodes as a chunk") };
    assert_eq!((job, part), (3, 1));
    assert_eq!(masses_gev, vec![(Some(305.0), None); predictions.len()]);
    assert_eq!(points.statuses.len(), 3, "each distinct status is sent once");
    let decoded = points.clone().unpack("wino_lsp.slha", 0).expect("the chunk unpacks");
    assert_eq!(decoded, predictions);

    let shifted = points.unpack("wino_lsp.slha", 100).expect("the chunk unpacks with a row offset");
    let rows: Vec<usize> = shifted.iter().map(|point| point.row).collect();
    let expected_rows: Vec<usize> = predictions.iter().map(|point| point.row + 100).collect();
    assert_eq!(rows, expected_rows);
}

#[test]
fn inconsistent_chunk_is_error() {
    let mut packed = PackedPredictions::pack(vec![PointPrediction { source: "a.csv".into(), row: 0, pairs: vec![pair_with_every_warning()] }]);
    packed.values.pop();
    let error = packed.unpack("a.csv", 0).expect_err("a chunk with a missing value is rejected");
    assert!(error.contains("inconsistent"), "{error}");

    let mut packed = PackedPredictions::pack(vec![PointPrediction { source: "a.csv".into(), row: 0, pairs: vec![pair_with_every_warning()] }]);
    packed.pairs[0] = 9;
    let error = packed.unpack("a.csv", 0).expect_err("an unknown pair index is rejected");
    assert!(error.contains("pair index 9"), "{error}");
}

#[test]
fn requests_survive_bincode() {
    let file = WireFile { name: "large.csv".into(), bytes: vec![0, 1, 2, 255, b'\n'] };
    for request in [
        Request::LoadNetworks { files: vec![file.clone()] },
        Request::Compute { job: 9, part: 0, origin: PartOrigin::Whole, file: file.clone() },
        Request::Compute {
            job: 9,
            part: 2,
            origin: PartOrigin::Csv { bytes_before: 1234, lines_before: 56, header: Some((3, "U11,V11".into())) },
            file,
        },
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

    let (job, started) = BatchJob::start(5, 0, "generated.csv", table.as_bytes(), &PartOrigin::Whole);
    let mut job = job.expect("the generated table starts a job");
    let Response::Started { job: id, format, total_points, row_errors, slha_text, .. } = started else {
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
            Response::Chunk { job: id, points, masses_gev, .. } => {
                assert_eq!(id, 5);
                assert!(points.len() <= 5, "a chunk has at most the requested points");
                predictions.extend(points.unpack("generated.csv", 0).expect("the chunk unpacks"));
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
    let (job, response) = BatchJob::start(2, 0, "binary_junk.bin", &bytes, &PartOrigin::Whole);
    assert!(job.is_none());
    let Response::Failed { job: id, message, .. } = response else { panic!("junk fails, got {response:?}") };
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

/// Runs every part of a split file through its own batch job, as the
/// workers do, and feeds all messages to the page's assembly with the
/// parts interleaved from the last to the first, so later parts arrive
/// before earlier ones. Returns the outcome and after how many of the
/// messages it was decided.
fn run_parts(weights: &WeightSet, name: &str, bytes: &[u8], parts: &[FilePart]) -> (FileOutcome, usize, usize) {
    let mut messages: Vec<Vec<Response>> = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        let (job, started) = BatchJob::start(7, index as u32, name, &bytes[part.range.clone()], &part.origin);
        let mut part_messages = vec![through_bincode(&started)];
        if let Some(mut job) = job {
            loop {
                let response = job.next_chunk(weights, 4);
                let finished = matches!(response, Response::Finished { .. });
                part_messages.push(through_bincode(&response));
                if finished {
                    break;
                }
            }
        }
        messages.push(part_messages);
    }
    let total: usize = messages.iter().map(Vec::len).sum();
    let mut interleaved = Vec::with_capacity(total);
    for position in 0.. {
        let before = interleaved.len();
        for part_messages in messages.iter().rev() {
            if let Some(message) = part_messages.get(position) {
                interleaved.push(message.clone());
            }
        }
        if interleaved.len() == before {
            break;
        }
    }

    let mut assembly = JobAssembly::new(name, parts.len(), header_line(parts));
    for (count, message) in interleaved.into_iter().enumerate() {
        if let Some(outcome) = assembly.receive(message) {
            return (outcome, count + 1, total);
        }
    }
    panic!("the assembly decided no outcome after all {total} messages of {name}");
}

fn computed(outcome: FileOutcome, what: &str) -> FileResult {
    match outcome {
        FileOutcome::Computed(result) => result,
        FileOutcome::Failed(message) => panic!("{what} failed: {message}"),
    }
}

fn failed(outcome: FileOutcome, what: &str) -> String {
    match outcome {
        FileOutcome::Failed(message) => message,
        FileOutcome::Computed(_) => panic!("{what} was computed, expected an error"),
    }
}

/// A generated table with comments and a blank line above the header,
/// comment and blank lines between rows, and bad rows in the second half.
fn table_with_noise(rows: usize) -> String {
    let table = generated_table(rows);
    let mut lines: Vec<String> = table.lines().map(str::to_string).collect();
    lines.insert(0, "# generated for the split tests".into());
    lines.insert(1, String::new());
    lines.insert(rows / 3, "# a comment between rows".into());
    lines.insert(rows / 3 + 1, "   ".into());
    let bad_line = rows * 3 / 4;
    lines[bad_line] = lines[bad_line].replacen(',', ",abc,", 1);
    lines.push(String::new());
    lines.join("\r\n")
}

#[test]
fn split_parts_cover_file() {
    let table = table_with_noise(40);
    let bytes = table.as_bytes();
    let parts = split_file(bytes, 3);
    assert_eq!(parts.len(), 3);

    let mut expected_start = 0;
    for (index, part) in parts.iter().enumerate() {
        assert_eq!(part.range.start, expected_start, "part {index} starts where the one before ends");
        if part.range.end < bytes.len() {
            assert_eq!(bytes[part.range.end - 1], b'\n', "part {index} ends after a line break");
        }
        let PartOrigin::Csv { bytes_before, lines_before, header } = &part.origin else {
            panic!("part {index} of a CSV table is a CSV part, got {:?}", part.origin);
        };
        assert_eq!(*bytes_before, part.range.start);
        assert_eq!(*lines_before, bytes[..part.range.start].iter().filter(|&&byte| byte == b'\n').count());
        match index {
            0 => assert_eq!(header, &None, "the first part reads its own header"),
            _ => {
                let (line, text) = header.as_ref().expect("later parts get the header");
                assert_eq!(*line, 3, "the header follows a comment and a blank line");
                assert!(text.starts_with("U11,U12,V11"), "header text: {text}");
            }
        }
        expected_start = part.range.end;
    }
    assert_eq!(expected_start, bytes.len(), "the parts cover the file");
}

#[test]
fn split_file_equals_one_part() {
    let weights = load_network_files(&tiny_network_files()).expect("tiny set loads from its files");
    let table = table_with_noise(41);
    let expected = computed(compute_file(&weights, "noisy.csv", table.as_bytes()), "the whole table");
    assert_eq!(expected.row_errors.len(), 2, "both bad rows are reported: {:?}", expected.row_errors);
    assert!(expected.row_errors[1].starts_with("noisy.csv:"), "{}", expected.row_errors[1]);

    for max_parts in 1..=MAX_WORKERS {
        let parts = split_file(table.as_bytes(), max_parts);
        assert_eq!(parts.len(), max_parts, "41 rows split into {max_parts} parts");
        let (outcome, decided_after, total) = run_parts(&weights, "noisy.csv", table.as_bytes(), &parts);
        let result = computed(outcome, "the split table");
        assert_eq!(decided_after, total, "a computed file waits for every message");
        assert_eq!(result.format, expected.format);
        assert_eq!(result.row_errors, expected.row_errors, "{max_parts} parts name the same lines");
        assert_eq!(result.predictions, expected.predictions, "{max_parts} parts give the same rows in file order");
        assert_eq!(result.masses_gev, expected.masses_gev);
        assert_eq!(result.slha_text, None);
    }
}

#[test]
fn split_error_names_whole_file_offsets() {
    let weights = load_network_files(&tiny_network_files()).expect("tiny set loads from its files");
    let mut bytes = table_with_noise(40).into_bytes();
    let invalid_at = bytes.len() * 9 / 10;
    bytes[invalid_at] = 0xff;
    let expected = failed(compute_file(&weights, "latin1.csv", &bytes), "a table with an invalid byte");
    assert!(expected.contains("UTF-8"), "{expected}");

    let parts = split_file(&bytes, 3);
    assert_eq!(parts.len(), 3);
    assert!(parts[2].range.contains(&invalid_at), "the invalid byte lies in the last part");
    let (outcome, _, _) = run_parts(&weights, "latin1.csv", &bytes, &parts);
    assert_eq!(failed(outcome, "the split table"), expected);
}

#[test]
fn split_bad_header_fails_like_whole() {
    let weights = load_network_files(&tiny_network_files()).expect("tiny set loads from its files");
    let table = generated_table(30).replacen("U11,U12", "U11,U11", 1);
    let expected = failed(compute_file(&weights, "twice.csv", table.as_bytes()), "a table with a duplicate column");
    let parts = split_file(table.as_bytes(), 3);
    let (outcome, decided_after, total) = run_parts(&weights, "twice.csv", table.as_bytes(), &parts);
    assert_eq!(failed(outcome, "the split table"), expected);
    assert_eq!(decided_after, total, "the first part's error decides once it arrives, last of all here");
}

#[test]
fn split_without_rows_fails_like_whole() {
    let weights = load_network_files(&tiny_network_files()).expect("tiny set loads from its files");
    let control = std::fs::read_to_string("tests/data/good/control.csv").expect("control table is readable");
    let header = control.lines().next().expect("control table has a header");
    let table = format!("{header}\n{}", "# no data here\n".repeat(30));
    let expected = failed(compute_file(&weights, "empty.csv", table.as_bytes()), "a table without rows");
    let parts = split_file(table.as_bytes(), 3);
    assert_eq!(parts.len(), 3);
    let (outcome, _, _) = run_parts(&weights, "empty.csv", table.as_bytes(), &parts);
    assert_eq!(failed(outcome, "the split table"), expected);
}

#[test]
fn later_failure_waits_for_earlier_parts() {
    let mut assembly = JobAssembly::new("a.csv", 3, Some(1));
    let failure = Response::Failed { job: 1, part: 2, message: "a.csv:90: invalid UTF-8".into() };
    assert!(assembly.receive(failure).is_none(), "part 0 might still fail first");
    let started = |part| Response::Started { job: 1, part, format: deepxs::input::InputFormat::Csv, total_points: 3, row_errors: vec![], slha_text: None };
    assert!(assembly.receive(started(1)).is_none());
    let outcome = assembly.receive(started(0)).expect("the failure decides once the parts before it are read");
    assert_eq!(failed(outcome, "the file"), "a.csv:90: invalid UTF-8");

    let mut assembly = JobAssembly::new("a.csv", 2, Some(1));
    let message = Response::Failed { job: 1, part: 5, message: "x".into() };
    let outcome = assembly.receive(message).expect("a message of an unknown part fails the job");
    assert!(failed(outcome, "the file").contains("unknown part 5"));
}

#[test]
fn only_csv_tables_split() {
    let array = "0.9 0.1 0.8 0.2 0.1 0.2 -0.7 0.68 -410 400 1500 1550 1600 1510 1500 1550 1510 1600 1800\n".repeat(50);
    assert_eq!(split_file(array.as_bytes(), 4), vec![FilePart { range: 0..array.len(), origin: PartOrigin::Whole }]);

    let slha = std::fs::read("tests/data/wino_lsp.slha").expect("SLHA fixture is readable");
    assert_eq!(split_file(&slha, 4).len(), 1);
    assert_eq!(split_file(&slha, 4)[0].origin, PartOrigin::Whole);

    let table = generated_table(30);
    assert_eq!(split_file(table.as_bytes(), 1), vec![FilePart { range: 0..table.len(), origin: PartOrigin::Whole }]);

    let mut junk = table.clone().into_bytes();
    junk.insert(0, 0xff);
    assert_eq!(split_file(&junk, 4).len(), 1, "a file whose header is not UTF-8 stays whole");

    let header_only = "U11,U12\n";
    assert_eq!(split_file(header_only.as_bytes(), 4).len(), 1);
}

#[test]
fn worker_count_follows_cores() {
    assert_eq!(worker_count(0.0), 1, "a browser that hides its cores gets one worker");
    assert_eq!(worker_count(f64::NAN), 1);
    assert_eq!(worker_count(1.0), 1);
    assert_eq!(worker_count(2.0), 2);
    assert_eq!(worker_count(3.0), 3);
    assert_eq!(worker_count(16.0), MAX_WORKERS);
}
