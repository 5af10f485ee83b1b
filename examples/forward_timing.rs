//! Prints where a c1c1 prediction spends its time on one core, in process
//! CPU seconds, so the figures stay meaningful on a loaded machine where
//! wall-clock benchmarks are not. Needs the reference networks in
//! `../shared` (or `DEEPXS_SHARED`).
//!
//! Run: `cargo run --release --example forward_timing`


use deepxs::input::{read_input, Point};
use deepxs::network::selu_in_place;
use deepxs::pair::Pair;
use deepxs::pipeline::WeightSet;
use deepxs::predict::{predict, Order};

#[path = "common/timing.rs"]
mod timing;
use timing::{cpu_seconds, reference_dir};

fn main() {
    let reference = reference_dir();
    let directory = reference.join("deepxs/networks");
    let manifest = std::fs::read_to_string(directory.join("manifest.json")).expect("reference manifest is readable");
    let weights = WeightSet::load(&manifest, &mut |name| {
        std::fs::read(directory.join(format!("{name}.safetensors"))).map_err(|error| error.to_string())
    })
    .expect("reference networks load");

    let bytes = std::fs::read(reference.join("deepxs/testsets/c1c1_test.csv")).expect("test set is readable");
    let rows: Vec<Point> = read_input("c1c1_test.csv", &bytes, Default::default())
        .expect("test set parses")
        .rows
        .into_iter()
        .map(|row| row.expect("valid row"))
        .collect();
    let points: Vec<Point> = rows.iter().cycle().take(204_800).cloned().collect();
    let pipeline = weights.pipeline(Pair::C1c1).expect("c1c1 pipeline");
    let chunk: Vec<_> = points[..2048].iter().map(|point| point.record).collect();

    let start = cpu_seconds();
    let features = pipeline.lo.feature_matrix(&chunk);
    for _ in 0..100 {
        std::hint::black_box(pipeline.lo.general.members[0].forward(features.view()));
    }
    let lo_seconds = cpu_seconds() - start;

    let start = cpu_seconds();
    let features = pipeline.k.feature_matrix(&chunk);
    for _ in 0..100 {
        std::hint::black_box(pipeline.k.general.members[0].forward(features.view()));
    }
    let k_seconds = cpu_seconds() - start;

    let mut hidden = ndarray::Array2::<f32>::from_shape_fn((2048, 100), |(i, j)| ((i * 7 + j * 13) % 200) as f32 / 50.0 - 2.0);
    let start = cpu_seconds();
    for _ in 0..400 {
        selu_in_place(&mut hidden);
    }
    let selu_seconds = cpu_seconds() - start;

    let start = cpu_seconds();
    for batch in points.chunks(2048) {
        std::hint::black_box(predict(&weights, batch, &[Pair::C1c1], Order::Both));
    }
    let total_seconds = cpu_seconds() - start;

    let slha_text = std::fs::read_to_string(reference.join("slha/sample_1.spc")).expect("sample is readable");
    // As the CLI does: read every file, then predict the points in one batch.
    let start = cpu_seconds();
    let files = 2000;
    let slha_points: Vec<Point> =
        (0..files).map(|_| deepxs::input::parse_slha("sample_1.spc", &slha_text).expect("sample parses")).collect();
    let parse_seconds = cpu_seconds() - start;
    std::hint::black_box(predict(&weights, &slha_points, &deepxs::pair::PAIRS, Order::Both));
    let slha_seconds = cpu_seconds() - start;

    // The embedded set evaluates every member of each ensemble and averages them.
    let embedded_seconds = WeightSet::embedded().ok().map(|embedded| {
        let start = cpu_seconds();
        for batch in points.chunks(2048) {
            std::hint::black_box(predict(&embedded, batch, &[Pair::C1c1], Order::Both));
        }
        cpu_seconds() - start
    });

    // All four pairs of the SLHA points with the embedded set, whose LO
    // output maps combine many network outputs with coupling products.
    let embedded_slha_seconds = WeightSet::embedded().ok().map(|embedded| {
        let start = cpu_seconds();
        std::hint::black_box(predict(&embedded, &slha_points, &deepxs::pair::PAIRS, Order::Both));
        cpu_seconds() - start
    });

    let count = points.len() as f64;
    println!("LO network forward:   {:.2} µs per point", lo_seconds / count * 1e6);
    println!("K network forward:    {:.2} µs per point", k_seconds / count * 1e6);
    println!("SELU:                 {:.2} ns per activation", selu_seconds / (400.0 * 2048.0 * 100.0) * 1e9);
    println!("predict c1c1 LO+K+NLO: {:.2} µs per point, {:.0} points/s per core", total_seconds / count * 1e6, count / total_seconds);
    match embedded_seconds {
        Some(seconds) => println!(
            "predict c1c1 with the embedded ensembles: {:.2} µs per point, {:.0} points/s per core",
            seconds / count * 1e6,
            count / seconds
        ),
        None => println!("no embedded network set in this build"),
    }
    println!(
        "SLHA file read ({:.1} µs) + 4 pairs batched: {:.1} µs per file, {:.0} files/s per core",
        parse_seconds / f64::from(files) * 1e6,
        slha_seconds / f64::from(files) * 1e6,
        f64::from(files) / slha_seconds
    );
    if let Some(seconds) = embedded_slha_seconds {
        println!("4 pairs of a read SLHA file with the embedded set: {:.1} µs per file", seconds / f64::from(files) * 1e6);
    }
}
