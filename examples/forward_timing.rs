//! Times the pieces of a c1c1 prediction on one core (process CPU time),
//! to see where the evaluation spends its time. Needs the reference data.
use std::time::Instant;
use deepxs::input::{read_input, Point};
use deepxs::pair::Pair;
use deepxs::pipeline::WeightSet;
use deepxs::predict::{predict, Order};

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0) + fields.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn main() {
    let reference = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference");
    let directory = reference.join("deepxs/networks");
    let manifest = std::fs::read_to_string(directory.join("manifest.json")).expect("manifest");
    let weights = WeightSet::load(&manifest, &mut |name| std::fs::read(directory.join(format!("{name}.safetensors"))).map_err(|e| e.to_string())).expect("load");
    let bytes = std::fs::read(reference.join("deepxs/testsets/c1c1_test.csv")).expect("test set");
    let rows: Vec<Point> = read_input("c1c1", &bytes, Default::default()).expect("parses").rows.into_iter().map(|r| r.expect("valid")).collect();
    let batch: Vec<Point> = rows.iter().cycle().take(20_480).cloned().collect();
    let pipeline = weights.pipeline(Pair::C1c1).expect("c1c1");
    let records: Vec<_> = batch.iter().map(|p| p.record).collect();
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    for chunk in records.chunks(2048) { std::hint::black_box(pipeline.lo.feature_matrix(chunk)); }
    println!("features: {:.3} s cpu, {:?} wall", cpu_seconds() - cpu, wall.elapsed());
    let features = pipeline.lo.feature_matrix(&records[..2048]);
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    for _ in 0..100 { std::hint::black_box(pipeline.lo.general.members[0].forward(features.view())); }
    println!("LO forward x100: {:.3} s cpu, {:?} wall", cpu_seconds() - cpu, wall.elapsed());
    let mut hidden = ndarray::Array2::<f32>::from_shape_fn((2048, 100), |(i, j)| ((i * 7 + j * 13) % 200) as f32 / 50.0 - 2.0);
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    for _ in 0..700 { deepxs::network::selu_in_place(&mut hidden); hidden.mapv_inplace(|v| v - 0.5); }
    println!("SELU 70 x (2048 x 100) x 10: {:.3} s cpu, {:?} wall", cpu_seconds() - cpu, wall.elapsed());
    let features = pipeline.k.feature_matrix(&records[..2048]);
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    for _ in 0..10 { std::hint::black_box(pipeline.k.general.members[0].forward(features.view())); }
    println!("K forward: {:.3} s cpu, {:?} wall", cpu_seconds() - cpu, wall.elapsed());
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    for chunk in batch.chunks(2048) { std::hint::black_box(predict(&weights, chunk, &[Pair::C1c1], Order::Both)); }
    println!("predict total: {:.3} s cpu, {:?} wall for {} points", cpu_seconds() - cpu, wall.elapsed(), batch.len());
}
