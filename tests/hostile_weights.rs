//! The manifest and weights loader on damaged network sets: each case
//! must give its own clear error and never a panic. The sets are edits of
//! the tiny test set, so every other part of them is valid.

mod common;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use deepxs::pipeline::WeightSet;
use safetensors::tensor::TensorView;
use safetensors::Dtype;

use common::tiny_weights::tiny_weight_files;

/// Loads a set from manifest text and networks by name; returns the error
/// message, or `None` if the set loads.
fn load_error(manifest: &str, networks: &HashMap<String, Vec<u8>>) -> Option<String> {
    let result = catch_unwind(AssertUnwindSafe(|| {
        WeightSet::load(manifest, &mut |name| networks.get(name).cloned().ok_or_else(|| format!("{name}.safetensors not found")))
    }));
    match result {
        Ok(Ok(_)) => None,
        Ok(Err(error)) => Some(error.to_string()),
        Err(_) => Some("PANIC".into()),
    }
}

fn tiny_manifest() -> String {
    tiny_weight_files().0
}

/// Returns the tiny manifest with one edit applied to the c1c1 LO stage.
fn edit_c1c1_lo(edit: impl Fn(&mut serde_json::Value)) -> String {
    let (manifest, _) = tiny_weight_files();
    let mut value: serde_json::Value = serde_json::from_str(&manifest).expect("tiny manifest is JSON");
    edit(&mut value["processes"]["c1c1"]["lo"]);
    value.to_string()
}

fn tensor_file(tensors: &[(&str, Dtype, Vec<usize>, Vec<u8>)]) -> Vec<u8> {
    let views: Vec<(&str, TensorView<'_>)> = tensors
        .iter()
        .map(|(name, dtype, shape, data)| (*name, TensorView::new(*dtype, shape.clone(), data).expect("consistent tensor")))
        .collect();
    safetensors::serialize(views, &None).expect("serializable")
}

fn floats(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|value| value.to_le_bytes()).collect()
}

#[test]
fn tiny_set_loads() {
    let (manifest, networks) = tiny_weight_files();
    assert_eq!(load_error(&manifest, &networks), None);
}

#[test]
fn damaged_manifests_give_clear_errors() {
    let (_, networks) = tiny_weight_files();
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty text", String::new(), "manifest is not valid: EOF while parsing"),
        ("not JSON", "<html>".into(), "manifest is not valid: expected value at line 1 column 1"),
        ("no processes", r#"{"processes": {}}"#.into(), "the manifest lists no process"),
        ("unknown pair", tiny_manifest().replace("\"c1c1\"", "\"c1n1\""), "unknown pair 'c1n1'"),
        (
            "wrong final state",
            tiny_manifest().replace("[1000024,-1000024]", "[1000024,1000024]"),
            "c1c1: final_state_pdg [1000024, 1000024] does not match [1000024, -1000024]",
        ),
        (
            "means missing",
            edit_c1c1_lo(|stage| stage["mean"] = serde_json::json!([0.0])),
            "c1c1 lo: 6 features but 1 means and 6 standard deviations",
        ),
        ("zero std", edit_c1c1_lo(|stage| stage["std"][2] = serde_json::json!(0.0)), "c1c1 lo: standard deviation 0 is not positive"),
        ("unknown feature", edit_c1c1_lo(|stage| stage["features"][0] = serde_json::json!("U13")), "unknown variable 'U13'"),
        (
            "deep nesting",
            edit_c1c1_lo(|stage| stage["features"][0] = serde_json::json!(format!("{}U11", "(".repeat(10_000)))),
            "nested deeper than 64 levels",
        ),
        ("bad output map", edit_c1c1_lo(|stage| stage["output"] = serde_json::json!("sigma_pb = exp(y")), "expected ')'"),
        (
            "output map reads a missing output",
            edit_c1c1_lo(|stage| stage["output"] = serde_json::json!("sigma_pb = exp(y0) * U11^2 * y3")),
            "has 1 outputs but the output map reads 4",
        ),
        (
            "output index out of range",
            edit_c1c1_lo(|stage| stage["output"] = serde_json::json!("sigma_pb = y99999999999999999999")),
            "unknown variable 'y99999999999999999999'",
        ),
        ("output index with a leading zero", edit_c1c1_lo(|stage| stage["output"] = serde_json::json!("sigma_pb = y01")), "unknown variable 'y01'"),
        (
            "missing network",
            edit_c1c1_lo(|stage| stage["network"] = serde_json::json!("nowhere")),
            "network 'nowhere' not found: nowhere.safetensors not found",
        ),
        ("empty ensemble", edit_c1c1_lo(|stage| stage["network"] = serde_json::json!([])), "an ensemble needs at least one network"),
        (
            "stacking without specialised network",
            edit_c1c1_lo(|stage| stage["stacking"] = serde_json::json!("use the specialised LO when 1e-4 < sigma_general < 0.4 pb")),
            "a stacking rule needs general and specialised networks",
        ),
        (
            "too many SELU layers",
            edit_c1c1_lo(|stage| stage["selu_layers"] = serde_json::json!(2)),
            "2 SELU layers declared but the network has only 2 layers",
        ),
    ];
    let mut failures = Vec::new();
    for (case, manifest, expected) in &cases {
        match load_error(manifest, &networks) {
            Some(message) if message.contains(expected) => {}
            other => failures.push(format!("{case}: expected an error containing '{expected}', got {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Multi-byte white space in an expression once made the parser slice a
/// string inside a character; it must read as ordinary white space.
#[test]
fn unicode_space_in_feature_loads() {
    let (_, networks) = tiny_weight_files();
    let manifest = edit_c1c1_lo(|stage| stage["features"][0] = serde_json::json!("\u{a0}U11\u{3000}*\u{2003}1"));
    assert_eq!(load_error(&manifest, &networks), None);
}

#[test]
fn damaged_networks_give_clear_errors() {
    let (manifest, networks) = tiny_weight_files();
    let good = networks["c1c1_tiny_lo"].clone();
    let valid_rest = [("layer1.kernel", Dtype::F32, vec![5, 1], floats(&[0.1; 5])), ("layer1.bias", Dtype::F32, vec![1], floats(&[0.0]))];
    let with_first_layer = |kernel: (Dtype, Vec<usize>, Vec<u8>), bias: (Dtype, Vec<usize>, Vec<u8>)| {
        let mut tensors = vec![("layer0.kernel", kernel.0, kernel.1, kernel.2), ("layer0.bias", bias.0, bias.1, bias.2)];
        tensors.extend(valid_rest.iter().cloned());
        tensor_file(&tensors)
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty file", Vec::new(), "network 'c1c1_tiny_lo' is not a valid safetensors file"),
        ("truncated", good[..good.len() / 2].to_vec(), "network 'c1c1_tiny_lo' is not a valid safetensors file"),
        ("header length only", 1_000_000u64.to_le_bytes().to_vec(), "network 'c1c1_tiny_lo' is not a valid safetensors file"),
        ("huge header length", u64::MAX.to_le_bytes().to_vec(), "network 'c1c1_tiny_lo' is not a valid safetensors file"),
        ("junk header", [16u64.to_le_bytes().to_vec(), b"{not json at all".to_vec()].concat(), "is not a valid safetensors file"),
        (
            "f64 weights",
            with_first_layer((Dtype::F64, vec![6, 5], vec![0; 6 * 5 * 8]), (Dtype::F32, vec![5], floats(&[0.0; 5]))),
            "layer0.kernel has dtype F64; expected F32",
        ),
        (
            "NaN weight",
            with_first_layer((Dtype::F32, vec![6, 5], floats(&[f32::NAN; 30])), (Dtype::F32, vec![5], floats(&[0.0; 5]))),
            "layer0.kernel contains the non-finite value NaN",
        ),
        (
            "three-dimensional kernel",
            with_first_layer((Dtype::F32, vec![6, 5, 1], floats(&[0.0; 30])), (Dtype::F32, vec![5], floats(&[0.0; 5]))),
            "layer0.kernel has shape [6, 5, 1]; expected 2 dimensions",
        ),
        (
            "bias of wrong length",
            with_first_layer((Dtype::F32, vec![6, 5], floats(&[0.0; 30])), (Dtype::F32, vec![4], floats(&[0.0; 4]))),
            "layer0.bias has shape [4]; expected [5]",
        ),
        (
            "layers that do not chain",
            with_first_layer((Dtype::F32, vec![6, 4], floats(&[0.0; 24])), (Dtype::F32, vec![4], floats(&[0.0; 4]))),
            "layer1 takes 5 inputs but the layer before gives 4",
        ),
        (
            "wrong input count",
            with_first_layer((Dtype::F32, vec![7, 5], floats(&[0.0; 35])), (Dtype::F32, vec![5], floats(&[0.0; 5]))),
            "takes 7 inputs but the manifest lists 6 features",
        ),
        ("no layers", tensor_file(&[("weights", Dtype::F32, vec![1], floats(&[1.0]))]), "no tensor named layer0.kernel"),
        ("bias missing", tensor_file(&[("layer0.kernel", Dtype::F32, vec![6, 1], floats(&[0.0; 6]))]), "layer0.bias"),
    ];
    let mut failures = Vec::new();
    for (case, bytes, expected) in cases {
        let mut damaged = networks.clone();
        damaged.insert("c1c1_tiny_lo".into(), bytes);
        match load_error(&manifest, &damaged) {
            Some(message) if message.contains(expected) => {}
            other => failures.push(format!("{case}: expected an error containing '{expected}', got {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
