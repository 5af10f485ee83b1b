//! The core compiled to WebAssembly gives this machine's native numbers.
//! It predicts the reference test rows in a browser and compares LO, K and
//! NLO with the native predictions to 1e-12 relative, on every row.
//!
//! Run by `scripts/test.sh` with wasm-bindgen-test-runner in headless
//! Chromium, after `cargo test --test wasm_parity_fixture` has written
//! `target/wasm-parity/fixture.json` (the build fails without that file).

#![cfg(target_arch = "wasm32")]

use deepxs::checks::SIGMA_MINIMUM_PB;
use deepxs::input::read_input;
use deepxs::pair::PAIRS;
use deepxs::pipeline::WeightSet;
use deepxs::predict::{predict, Order};
use serde_json::Value;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/target/wasm-parity/fixture.json"));

/// Largest relative difference accepted between wasm and native values.
/// The network evaluation is bit-identical on both (see `deepxs::gemm`).
/// Features and output maps use f64 `ln` and `exp`, whose last bits may
/// differ between the native C library and the maths library of the wasm
/// build, so a few ulps of f64 are allowed.
const TOLERANCE: f64 = 1e-12;

fn unhex(text: &str) -> Vec<u8> {
    text.as_bytes()
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).expect("ASCII hex"), 16).expect("hex digit pair"))
        .collect()
}

#[wasm_bindgen_test]
fn wasm_matches_native_on_reference_rows() {
    let fixture: Value = serde_json::from_str(FIXTURE).expect("fixture is JSON");
    if let Some(reason) = fixture["skip"].as_str() {
        console_log!("wasm parity: skipped, {reason}");
        return;
    }
    let networks = fixture["networks"].as_object().expect("networks object");
    let weights = WeightSet::load(fixture["manifest"].as_str().expect("manifest text"), &mut |name| {
        let file = format!("{name}.safetensors");
        networks.get(&file).and_then(Value::as_str).map(unhex).ok_or_else(|| format!("{file} missing from the fixture"))
    })
    .expect("reference networks load in wasm");

    for set in fixture["sets"].as_array().expect("sets array") {
        let name = set["name"].as_str().expect("set name");
        let batch = read_input(name, set["csv"].as_str().expect("CSV text").as_bytes(), Default::default()).expect("set parses");
        let points: Vec<_> = batch.rows.into_iter().map(|row| row.expect("valid row")).collect();
        let predictions = predict(&weights, &points, &PAIRS, Order::Both);
        let expected = set["expected"].as_array().expect("expected values");
        let values = predictions.iter().flat_map(|point| point.pairs.iter().map(move |pair| (point.row, pair)));
        let mut compared = 0usize;
        let mut worst = [0.0f64; 3];
        let mut outside = 0usize;
        for ((row, pair), native) in values.zip(expected) {
            let wasm = [pair.lo_pb, pair.k, pair.nlo_pb];
            if native[0].as_f64().is_some_and(|lo_pb| lo_pb < SIGMA_MINIMUM_PB) {
                outside += 1;
            }
            for (index, label) in ["lo_pb", "k", "nlo_pb"].iter().enumerate() {
                match (wasm[index], native[index].as_f64()) {
                    (Some(value), Some(native_value)) => {
                        let difference = (value / native_value - 1.0).abs();
                        worst[index] = worst[index].max(difference);
                        compared += 1;
                        assert!(difference <= TOLERANCE, "{name} row {row} {} {label}: wasm {value:e}, native {native_value:e}", pair.pair);
                    }
                    (None, None) => {}
                    (wasm_value, native_value) => {
                        panic!("{name} row {row} {} {label}: wasm {wasm_value:?}, native {native_value:?}", pair.pair)
                    }
                }
            }
        }
        assert_eq!(predictions.len() * PAIRS.len(), expected.len(), "{name}: row count");
        console_log!(
            "wasm parity {name}: {compared} values, largest relative differences LO {:.2e}, K {:.2e}, NLO {:.2e}; {outside} pair predictions below σ_min included",
            worst[0],
            worst[1],
            worst[2]
        );
    }
}
