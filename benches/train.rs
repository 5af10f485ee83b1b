//! Training throughput of the hand-written backward pass: one gradient and
//! Adam step on a batch of 256 rows, for the DeepXS LO shape (8 SELU layers
//! of 100) and the smaller shapes used for our sets (6 × 64, 8 × 32), on
//! one thread and on all rayon threads. Criterion reports rows per second.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use deepxs::train::adam::Adam;
use deepxs::train::mlp::Mlp;
use deepxs::train::objective::{Objective, OutputMap};

const BATCH_ROWS: usize = 256;
const INPUTS: usize = 12;

fn training_step(criterion: &mut Criterion) {
    let inputs = Array2::from_shape_fn((BATCH_ROWS, INPUTS), |(i, j)| ((i * INPUTS + j) as f32 * 0.37).sin());
    let targets = Array2::from_shape_fn((BATCH_ROWS, 1), |(i, _)| 1.0 + 0.01 * i as f64);
    let objective = Objective::new(OutputMap::Exp { scale: 2.0, offset: 0.0 });
    let mut group = criterion.benchmark_group("train_step");
    group.throughput(Throughput::Elements(BATCH_ROWS as u64));
    for (label, hidden) in [("8x100", vec![100; 8]), ("6x64", vec![64; 6]), ("8x32", vec![32; 8])] {
        let mut widths = vec![INPUTS];
        widths.extend(&hidden);
        widths.push(1);
        let mut network = Mlp::lecun_normal(&widths, hidden.len(), &mut ChaCha8Rng::seed_from_u64(1));
        let mut adam = Adam::new(&network, 1e-4);
        let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("one thread");
        group.bench_function(BenchmarkId::new("one_thread", label), |bench| {
            bench.iter(|| {
                single.install(|| {
                    let (_, gradients) = network.batch_gradients(inputs.view(), targets.view(), &objective, 64);
                    adam.update(&mut network, &gradients);
                })
            })
        });
        group.bench_function(BenchmarkId::new("all_threads", label), |bench| {
            bench.iter(|| {
                let (_, gradients) = network.batch_gradients(inputs.view(), targets.view(), &objective, 64);
                adam.update(&mut network, &gradients);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, training_step);
criterion_main!(benches);
