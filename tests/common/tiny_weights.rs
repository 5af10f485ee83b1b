//! A tiny network set for tests that need `predict` but not real numbers:
//! one small random dense network per stage, for all four pairs, with the
//! feature lists of the DeepXS networks. The values it predicts mean
//! nothing; the set exists to exercise manifest loading, feature
//! selection and the "not computable" reporting.

use std::collections::HashMap;

use deepxs::pipeline::WeightSet;
use safetensors::tensor::TensorView;
use safetensors::Dtype;

/// Feature lists by pair and stage, as the DeepXS networks read them.
const CHARGINO_LO: &[&str] = &["U11", "U12", "V11", "V12", "m_chi1pm", "m_1000001"];
const CHARGINO_K: &[&str] = &["U11", "U12", "V11", "V12", "m_chi1pm", "mean_squark_mass_8", "m_gluino"];
const NEUTRALINO_LO: &[&str] = &["N21", "N22", "N23^2-N24^2", "abs(m_chi20)", "m_1000001", "m_2000001", "m_2000002"];
const NEUTRALINO_K: &[&str] = &["N21", "N22", "N23^2-N24^2", "abs(m_chi20)", "mean_squark_mass_8", "m_gluino"];
const MIXED_LO: &[&str] = &["U11", "U12", "V11", "V12", "N21", "N22", "N23", "N24", "m_chi20", "m_chi1pm", "m_1000001"];
const MIXED_K: &[&str] = &["U11", "U12", "V11", "V12", "N21", "N22", "N23", "N24", "m_chi20", "m_chi1pm", "mean_squark_mass_8", "m_gluino"];

/// Width of the hidden layer of every tiny network.
const HIDDEN: usize = 5;

/// A deterministic pseudo-random generator (64-bit LCG, constants of
/// Knuth's MMIX), so the set is the same in every run without a new
/// dependency.
struct Lcg(u64);

impl Lcg {
    /// Returns a value in [-0.5, 0.5).
    fn next_centred(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    }
}

/// Safetensors bytes of a network with one SELU layer of [`HIDDEN`] units
/// and a linear output layer.
fn network_bytes(inputs: usize, seed: u64) -> Vec<u8> {
    let mut random = Lcg(seed);
    let mut values = |count: usize| -> Vec<u8> { (0..count).flat_map(|_| random.next_centred().to_le_bytes()).collect() };
    let tensors = [
        ("layer0.kernel", vec![inputs, HIDDEN], values(inputs * HIDDEN)),
        ("layer0.bias", vec![HIDDEN], values(HIDDEN)),
        ("layer1.kernel", vec![HIDDEN, 1], values(HIDDEN)),
        ("layer1.bias", vec![1], values(1)),
    ];
    let views: Vec<(&str, TensorView<'_>)> = tensors
        .iter()
        .map(|(name, shape, data)| (*name, TensorView::new(Dtype::F32, shape.clone(), data).expect("consistent tensor")))
        .collect();
    safetensors::serialize(views, &None).expect("serializable tensors")
}

/// Builds one manifest stage. Its z-score constants roughly centre mixing
/// elements (mean 0, std 0.5) and masses (mean 1000 GeV, std 800 GeV).
fn stage(network: &str, features: &[&str], output: &str) -> serde_json::Value {
    let is_mass = |feature: &&str| feature.starts_with('m') || feature.starts_with("abs");
    let mean: Vec<f64> = features.iter().map(|feature| if is_mass(feature) { 1000.0 } else { 0.0 }).collect();
    let std: Vec<f64> = features.iter().map(|feature| if is_mass(feature) { 800.0 } else { 0.5 }).collect();
    serde_json::json!({
        "network": network,
        "selu_layers": 1,
        "features": features,
        "mean": mean,
        "std": std,
        "output": output,
    })
}

/// Returns the manifest JSON and the safetensors bytes of every network, by name.
pub fn tiny_weight_files() -> (String, HashMap<String, Vec<u8>>) {
    type PairSpec = (&'static str, [i64; 2], &'static [&'static str], &'static [&'static str]);
    let pairs: [PairSpec; 4] = [
        ("c1c1", [1000024, -1000024], CHARGINO_LO, CHARGINO_K),
        ("n2n2", [1000023, 1000023], NEUTRALINO_LO, NEUTRALINO_K),
        ("n2c1p", [1000023, 1000024], MIXED_LO, MIXED_K),
        ("n2c1m", [1000023, -1000024], MIXED_LO, MIXED_K),
    ];
    let mut processes = serde_json::Map::new();
    let mut networks = HashMap::new();
    for (seed, (pair, pdg, lo, k)) in pairs.into_iter().enumerate() {
        let lo_name = format!("{pair}_tiny_lo");
        let k_name = format!("{pair}_tiny_k");
        networks.insert(lo_name.clone(), network_bytes(lo.len(), 2 * seed as u64 + 1));
        networks.insert(k_name.clone(), network_bytes(k.len(), 2 * seed as u64 + 2));
        processes.insert(
            pair.to_string(),
            serde_json::json!({
                "final_state_pdg": pdg,
                "lo": stage(&lo_name, lo, "sigma_pb = exp(y - 5)"),
                // exp keeps K positive, so every computable point is Status::Ok.
                "k": stage(&k_name, k, "K = exp(0.1 * y)"),
            }),
        );
    }
    let manifest = serde_json::json!({ "description": "tiny test networks", "processes": processes });
    (manifest.to_string(), networks)
}

/// Loads the tiny set.
pub fn tiny_weights() -> WeightSet {
    let (manifest, networks) = tiny_weight_files();
    WeightSet::load(&manifest, &mut |name| networks.get(name).cloned().ok_or_else(|| format!("no network {name}")))
        .expect("tiny weight set loads")
}
