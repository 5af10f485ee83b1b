//! Prints where the web calculator's batch worker spends its time on a
//! chunk of 5 000 c1c1 points, natively and on one core, in process CPU
//! seconds: reading the table, predicting, packing the predictions into
//! the worker's message type and encoding them with bincode, as
//! gloo-worker does, and decoding and unpacking them on the page. Native code is faster
//! than wasm, but the shares are indicative. Needs the reference networks
//! in `../shared` (or `DEEPXS_SHARED`).
//!
//! Run: `cargo run --release --example worker_timing`


use deepxs::predict::PointPrediction;
use deepxs::web::batch::{predict_points, read_file};
use deepxs::web::network_files::{load_network_files, NetworkFiles};
use deepxs::web::worker_protocol::{PackedPredictions, Response};

/// Times each step over this many repetitions of the chunk.
const REPETITIONS: u32 = 20;

#[path = "common/timing.rs"]
mod timing;
use timing::{cpu_seconds, reference_dir};

/// Runs `step` [`REPETITIONS`] times and prints its CPU time per chunk in ms.
fn time<T>(label: &str, mut step: impl FnMut() -> T) -> T {
    let start = cpu_seconds();
    let mut result = step();
    for _ in 1..REPETITIONS {
        result = std::hint::black_box(step());
    }
    println!("{label:<44} {:6.1} ms per chunk", (cpu_seconds() - start) * 1000.0 / f64::from(REPETITIONS));
    result
}

fn main() {
    let reference = reference_dir();
    let directory = reference.join("deepxs/networks");
    let files: NetworkFiles = std::fs::read_dir(&directory)
        .expect("reference networks are readable")
        .map(|entry| {
            let entry = entry.expect("directory entry is readable");
            (entry.file_name().to_string_lossy().into_owned(), std::fs::read(entry.path()).expect("network file is readable"))
        })
        .collect();
    let weights = load_network_files(&files).expect("reference networks load");
    let table = std::fs::read(reference.join("deepxs/testsets/c1c1_test.csv")).expect("test set is readable");

    let file = time("read 5 000 CSV rows", || read_file("c1c1_test.csv", &table).expect("test set parses"));
    let predictions = time("predict LO, K and NLO", || predict_points(&weights, &file.points));
    // The worker moves each chunk's predictions into the message; the copies
    // are made before the clock starts.
    let mut copies: Vec<Vec<PointPrediction>> = (0..REPETITIONS).map(|_| predictions.clone()).collect();
    let points = time("pack into the worker's message type", || PackedPredictions::pack(copies.pop().expect("one copy per repetition")));
    let masses_gev = vec![(None, None); points.len()];
    let chunk = Response::Chunk { job: 1, part: 0, points, masses_gev };
    let bytes = time("encode with bincode", || bincode::serialize(&chunk).expect("chunk encodes"));
    let unpacked = time("decode and unpack (on the page)", || {
        let Response::Chunk { points, .. } = bincode::deserialize(&bytes).expect("chunk decodes") else { unreachable!() };
        points.unpack("c1c1_test.csv", 0).expect("chunk unpacks")
    });
    assert_eq!(unpacked, predictions, "the packed chunk unpacks to the predictions");
    println!("{} points per chunk, {} bytes per encoded chunk", file.points.len(), bytes.len());
}
