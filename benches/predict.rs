//! Throughput of the prediction core with the DeepXS reference networks:
//! c1c1 LO+K+NLO on batches of 10⁵ rows (one core and all cores), and whole
//! SLHA files (read + predict all four pairs). Needs ../shared (or
//! DEEPXS_SHARED); prints a note and measures nothing without it.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rayon::prelude::*;

use deepxs::input::{parse_slha, read_input, Point};
use deepxs::pair::{Pair, PAIRS};
use deepxs::pipeline::WeightSet;
use deepxs::predict::{predict, Order};

fn reference() -> Option<PathBuf> {
    let shared = std::env::var_os("DEEPXS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let reference = shared.join("reference");
    reference.is_dir().then_some(reference)
}

fn load(reference: &std::path::Path) -> WeightSet {
    let directory = reference.join("deepxs/networks");
    let manifest = std::fs::read_to_string(directory.join("manifest.json")).expect("manifest");
    WeightSet::load(&manifest, &mut |name| std::fs::read(directory.join(format!("{name}.safetensors"))).map_err(|e| e.to_string()))
        .expect("reference networks")
}

fn benchmarks(c: &mut Criterion) {
    let Some(reference) = reference() else {
        eprintln!("benchmarks skipped: reference data not found (set DEEPXS_SHARED)");
        return;
    };
    let weights = load(&reference);

    // 10⁵ rows: the 5000 c1c1 test rows repeated.
    let bytes = std::fs::read(reference.join("deepxs/testsets/c1c1_test.csv")).expect("test set");
    let rows: Vec<Point> = read_input("c1c1", &bytes, Default::default()).expect("parses").rows.into_iter().map(|row| row.expect("valid")).collect();
    let batch: Vec<Point> = rows.iter().cycle().take(100_000).cloned().collect();

    let mut group = c.benchmark_group("c1c1_lo_k_nlo");
    group.sample_size(10);
    group.throughput(Throughput::Elements(batch.len() as u64));
    group.bench_function(BenchmarkId::new("one_core", batch.len()), |b| {
        b.iter(|| predict(&weights, &batch, &[Pair::C1c1], Order::Both))
    });
    group.bench_function(BenchmarkId::new("all_cores", batch.len()), |b| {
        b.iter(|| {
            batch
                .par_chunks(2048)
                .flat_map_iter(|chunk| predict(&weights, chunk, &[Pair::C1c1], Order::Both))
                .collect::<Vec<_>>()
        })
    });
    group.finish();

    let text = std::fs::read_to_string(reference.join("slha/sample_1.spc")).expect("sample");
    let files: Vec<String> = (0..1000).map(|_| text.clone()).collect();
    let mut group = c.benchmark_group("slha_files");
    group.sample_size(10);
    group.throughput(Throughput::Elements(files.len() as u64));
    group.bench_function("read_and_predict_4_pairs_all_cores", |b| {
        b.iter(|| {
            let points: Vec<Point> = files.par_iter().map(|text| parse_slha("sample_1.spc", text).expect("parses")).collect();
            points
                .par_chunks(256)
                .flat_map_iter(|chunk| predict(&weights, chunk, &PAIRS, Order::Both))
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
