//! Writes the fixture of the wasm parity test (`tests/wasm_core.rs`): the
//! reference networks, the reference test rows and this native build's
//! predictions for them, to `target/wasm-parity/fixture.json`. Without the
//! reference data the fixture only carries the reason, and the wasm test
//! skips with it.

mod common;

use std::path::PathBuf;

use deepxs::input::read_input;
use deepxs::pair::PAIRS;
use deepxs::predict::{predict, Order};
use serde_json::{json, Value};

use common::{reference_dir, reference_weights};

/// Reference test sets whose rows the wasm build must reproduce, including
/// generated points far outside the training domain, where the hidden
/// activations cancel and any change of summation order would show.
const TEST_SETS: [&str; 3] = ["c1c1_test.csv", "n2n2_test.csv", "generated_reference.csv"];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[test]
fn write_wasm_parity_fixture() {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/wasm-parity");
    std::fs::create_dir_all(&directory).expect("target/wasm-parity is writable");
    let fixture = match reference_dir("wasm parity fixture") {
        None => json!({ "skip": "reference data not found; set DEEPXS_SHARED" }),
        Some(reference) => {
            let networks = reference.join("deepxs/networks");
            let manifest = std::fs::read_to_string(networks.join("manifest.json")).expect("manifest is readable");
            let mut files = serde_json::Map::new();
            for entry in std::fs::read_dir(&networks).expect("network folder is readable") {
                let path = entry.expect("directory entry").path();
                if path.extension().is_some_and(|extension| extension == "safetensors") {
                    let name = path.file_name().expect("file name").to_string_lossy().into_owned();
                    files.insert(name, Value::String(hex(&std::fs::read(&path).expect("network is readable"))));
                }
            }
            let weights = reference_weights(&reference);
            let mut sets = Vec::new();
            for name in TEST_SETS {
                let text = std::fs::read_to_string(reference.join("deepxs/testsets").join(name)).expect("test set is readable");
                let batch = read_input(name, text.as_bytes(), Default::default()).expect("test set parses");
                let points: Vec<_> = batch.rows.into_iter().map(|row| row.expect("test row is valid")).collect();
                let predictions = predict(&weights, &points, &PAIRS, Order::Both);
                let expected: Vec<Value> = predictions
                    .iter()
                    .flat_map(|point| point.pairs.iter().map(|pair| json!([pair.lo_pb, pair.k, pair.nlo_pb])))
                    .collect();
                assert!(expected.len() == points.len() * PAIRS.len());
                sets.push(json!({ "name": name, "csv": text, "expected": expected }));
            }
            json!({ "manifest": manifest, "networks": files, "sets": sets })
        }
    };
    std::fs::write(directory.join("fixture.json"), fixture.to_string()).expect("fixture is writable");
}

/// Writes `target/wasm-corpus/fixture.json` for `tests/wasm_corpus.rs`: every
/// file of the malformed-input corpus (hex) with its line of EXPECTED.tsv.
#[test]
fn write_wasm_corpus_fixture() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad");
    let table = std::fs::read_to_string(corpus.join("EXPECTED.tsv")).expect("EXPECTED.tsv is readable");
    let mut files = Vec::new();
    for line in table.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 3, "EXPECTED.tsv line '{line}'");
        let bytes = std::fs::read(corpus.join(fields[0])).expect("corpus file is readable");
        files.push(json!({ "file": fields[0], "kind": fields[1], "expected": fields[2], "bytes": hex(&bytes) }));
    }
    assert!(files.len() >= 50, "the corpus has {} files", files.len());
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/wasm-corpus");
    std::fs::create_dir_all(&directory).expect("target/wasm-corpus is writable");
    std::fs::write(directory.join("fixture.json"), Value::Array(files).to_string()).expect("fixture is writable");
}
