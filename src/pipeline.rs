//! A loaded network set: for each pair, the LO and K stages built from a
//! manifest, and their evaluation on batches of points.

use std::collections::BTreeMap;

use ndarray::Array2;

use crate::error::WeightsError;
use crate::expr::Expression;
use crate::manifest::{Manifest, Members, OutputMap, SignConvention, StageSpec};
use crate::network::Network;
use crate::pair::Pair;
use crate::record::{Column, InputRecord, COLUMNS};

/// Name of the derived feature variable: mean of the eight squark masses.
pub const MEAN_SQUARK_VARIABLE: &str = "mean_squark_mass_8";

/// Index of [`MEAN_SQUARK_VARIABLE`] among the feature variables (after the
/// 19 columns).
const MEAN_SQUARK_INDEX: usize = 19;

/// Index of a feature variable: a canonical column or [`MEAN_SQUARK_VARIABLE`].
pub fn resolve_feature_variable(name: &str) -> Option<usize> {
    if name == MEAN_SQUARK_VARIABLE {
        return Some(MEAN_SQUARK_INDEX);
    }
    Column::from_name(name).map(Column::index)
}

/// When the specialised network of a stage replaces the general one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StackingRule {
    /// Only one network (or ensemble).
    None,
    /// Specialised LO where low < σ_general < high (pb, strict).
    GeneralBetween { low_pb: f64, high_pb: f64 },
    /// Specialised K where the final LO > threshold (pb), general K elsewhere.
    FinalLoAbove { threshold_pb: f64 },
}

impl StackingRule {
    /// Reads a rule in the wording of the reference manifest, for example
    /// "use the specialised LO when 1e-4 < sigma_general < 0.4 pb (strict)"
    /// or "use the specialised K when the final LO > 6.6e-5 pb, else the
    /// general K; NLO = LO * K".
    pub fn parse(text: &str) -> Result<Self, WeightsError> {
        let numbers: Vec<f64> = text
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter_map(|word| word.parse::<f64>().ok())
            .collect();
        let invalid = |detail: &str| WeightsError::Manifest(format!("stacking rule '{text}': {detail}"));
        if text.contains("sigma_general") {
            match numbers[..] {
                [low_pb, high_pb] if low_pb < high_pb => Ok(StackingRule::GeneralBetween { low_pb, high_pb }),
                _ => Err(invalid("expected 'LOW < sigma_general < HIGH' with LOW < HIGH")),
            }
        } else if text.contains("final LO >") {
            match numbers[..] {
                [threshold_pb] => Ok(StackingRule::FinalLoAbove { threshold_pb }),
                _ => Err(invalid("expected one threshold in 'final LO > THRESHOLD pb'")),
            }
        } else {
            Err(invalid("expected a rule on sigma_general or on the final LO"))
        }
    }
}

/// Networks of one variant (general or specialised) with their output map.
#[derive(Debug, Clone)]
pub struct Variant {
    pub members: Vec<Network>,
    pub output: Expression,
    /// Evaluate in f64 instead of f32 (diagnostics, see [`WeightSet::in_f64`]).
    pub f64_arithmetic: bool,
}

/// Ensemble mean and relative spread of a stage's output for one row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageValue {
    pub value: f64,
    /// Sample standard deviation of the members divided by the mean; 0 for a
    /// single network.
    pub relative_spread: f64,
}

impl Variant {
    /// Evaluates every member on the z-scored features and maps the outputs;
    /// the value is the members' mean.
    fn evaluate(&self, features: &Array2<f32>) -> Vec<StageValue> {
        let rows = features.nrows();
        let mut sums = vec![0.0f64; rows];
        let mut squares = vec![0.0f64; rows];
        for network in &self.members {
            let outputs = if self.f64_arithmetic {
                network.forward_f64(features.view())
            } else {
                network.forward(features.view()).mapv(f64::from)
            };
            for (row, &y) in outputs.iter().enumerate() {
                let value = self.output.evaluate(&[y]);
                sums[row] += value;
                squares[row] += value * value;
            }
        }
        let count = self.members.len() as f64;
        sums.iter()
            .zip(&squares)
            .map(|(&sum, &square)| {
                let mean = sum / count;
                let relative_spread = if self.members.len() > 1 {
                    let variance = ((square - count * mean * mean) / (count - 1.0)).max(0.0);
                    variance.sqrt() / mean.abs()
                } else {
                    0.0
                };
                StageValue { value: mean, relative_spread }
            })
            .collect()
    }
}

/// The LO or K stage of a pair.
#[derive(Debug, Clone)]
pub struct Stage {
    pub features: Vec<Expression>,
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
    pub general: Variant,
    pub specialised: Option<Variant>,
    pub rule: StackingRule,
    /// Canonical columns the features read (plus all squarks for the mean).
    pub columns: Vec<Column>,
}

impl Stage {
    fn load(pair: &str, stage: &str, spec: &StageSpec, read: &mut dyn FnMut(&str) -> Result<Vec<u8>, String>) -> Result<Self, WeightsError> {
        let context = |detail: String| WeightsError::Manifest(format!("{pair} {stage}: {detail}"));
        if spec.features.len() != spec.mean.len() || spec.features.len() != spec.std.len() {
            return Err(context(format!(
                "{} features but {} means and {} standard deviations",
                spec.features.len(),
                spec.mean.len(),
                spec.std.len()
            )));
        }
        if let Some(bad) = spec.std.iter().find(|std| !(std.is_finite() && **std > 0.0)) {
            return Err(context(format!("standard deviation {bad} is not positive")));
        }
        let features = spec
            .features
            .iter()
            .map(|text| Expression::compile(text, &resolve_feature_variable))
            .collect::<Result<Vec<_>, _>>()?;
        let mut columns: Vec<Column> = Vec::new();
        for feature in &features {
            for variable in feature.variables() {
                if variable == MEAN_SQUARK_INDEX {
                    columns.extend(crate::record::SQUARK_COLUMNS);
                } else {
                    columns.push(COLUMNS[variable]);
                }
            }
        }
        columns.sort();
        columns.dedup();

        let mut load_members = |members: &Members| -> Result<Vec<Network>, WeightsError> {
            let names = members.names();
            if names.is_empty() {
                return Err(context("an ensemble needs at least one network".into()));
            }
            names
                .iter()
                .map(|name| {
                    let bytes = read(name).map_err(|detail| WeightsError::MissingNetwork { name: name.clone(), detail })?;
                    let network = Network::from_safetensors(name, &bytes, spec.selu_layers)?;
                    if network.inputs() != features.len() {
                        return Err(WeightsError::Shape {
                            name: name.clone(),
                            detail: format!("takes {} inputs but the manifest lists {} features", network.inputs(), features.len()),
                        });
                    }
                    Ok(network)
                })
                .collect()
        };
        let compile_output = |text: &str| -> Result<Expression, WeightsError> {
            let expression = text.split_once('=').map_or(text, |(_, right)| right).trim();
            Expression::compile(expression, &|name| (name == "y").then_some(0))
        };

        let (general, specialised) = match (&spec.network, &spec.networks, &spec.output) {
            (Some(members), None, OutputMap::One(output)) => {
                (Variant { members: load_members(members)?, output: compile_output(output)?, f64_arithmetic: false }, None)
            }
            (None, Some(stacked), OutputMap::One(output)) => (
                Variant { members: load_members(&stacked.general)?, output: compile_output(output)?, f64_arithmetic: false },
                Some(Variant { members: load_members(&stacked.specialised)?, output: compile_output(output)?, f64_arithmetic: false }),
            ),
            (None, Some(stacked), OutputMap::Stacked(outputs)) => (
                Variant { members: load_members(&stacked.general)?, output: compile_output(&outputs.general)?, f64_arithmetic: false },
                Some(Variant { members: load_members(&stacked.specialised)?, output: compile_output(&outputs.specialised)?, f64_arithmetic: false }),
            ),
            _ => return Err(context("give either 'network' with one output map, or 'networks' with general and specialised".into())),
        };
        let rule = match (&specialised, &spec.stacking) {
            (None, None) => StackingRule::None,
            (Some(_), Some(text)) => StackingRule::parse(text)?,
            (None, Some(_)) => return Err(context("a stacking rule needs general and specialised networks".into())),
            (Some(_), None) => return Err(context("general and specialised networks need a stacking rule".into())),
        };
        match (stage, rule) {
            ("lo", StackingRule::FinalLoAbove { .. }) => return Err(context("the LO stage cannot depend on the final LO".into())),
            ("k", StackingRule::GeneralBetween { .. }) => return Err(context("the K stage stacks on the final LO".into())),
            _ => {}
        }
        Ok(Stage { features, mean: spec.mean.clone(), std: spec.std.clone(), general, specialised, rule, columns })
    }

    /// z-scored features of the given records as f32, one row per record.
    /// The records must have every column of [`Stage::columns`].
    pub fn feature_matrix(&self, records: &[InputRecord]) -> Array2<f32> {
        let mut matrix = Array2::<f32>::zeros((records.len(), self.features.len()));
        let mut variables = [0.0f64; 20];
        for (row, record) in records.iter().enumerate() {
            for (slot, value) in variables.iter_mut().zip(record.values()) {
                *slot = value.unwrap_or(f64::NAN);
            }
            variables[MEAN_SQUARK_INDEX] = record.mean_squark_mass_gev().unwrap_or(f64::NAN);
            for (column, feature) in self.features.iter().enumerate() {
                let value = (feature.evaluate(&variables) - self.mean[column]) / self.std[column];
                matrix[[row, column]] = value as f32;
            }
        }
        matrix
    }

    /// Evaluates the stage. `final_lo_pb` is needed by a K stage with the
    /// [`StackingRule::FinalLoAbove`] rule (one value per row).
    pub fn evaluate(&self, records: &[InputRecord], final_lo_pb: Option<&[f64]>) -> Vec<StageValue> {
        let features = self.feature_matrix(records);
        let Some(specialised) = &self.specialised else {
            return self.general.evaluate(&features);
        };
        let mut values = self.general.evaluate(&features);
        let selected: Vec<usize> = match self.rule {
            StackingRule::GeneralBetween { low_pb, high_pb } => {
                (0..values.len()).filter(|&row| low_pb < values[row].value && values[row].value < high_pb).collect()
            }
            StackingRule::FinalLoAbove { threshold_pb } => {
                let lo = final_lo_pb.unwrap_or(&[]);
                (0..values.len()).filter(|&row| lo.get(row).is_some_and(|&sigma| sigma > threshold_pb)).collect()
            }
            StackingRule::None => Vec::new(),
        };
        if selected.is_empty() {
            return values;
        }
        let subset = features.select(ndarray::Axis(0), &selected);
        for (row, value) in selected.into_iter().zip(specialised.evaluate(&subset)) {
            values[row] = value;
        }
        values
    }
}

/// The LO and K stages of one pair.
#[derive(Debug, Clone)]
pub struct PairPipeline {
    pub pair: Pair,
    pub lo: Stage,
    pub k: Stage,
}

/// A loaded network set.
#[derive(Debug, Clone)]
pub struct WeightSet {
    pub description: String,
    pub sign_convention: SignConvention,
    pipelines: BTreeMap<Pair, PairPipeline>,
}

impl WeightSet {
    /// Loads a set from manifest JSON; `read` returns the bytes of
    /// `<name>.safetensors` for a network name (from a directory, embedded
    /// data or browser uploads, so the core does no I/O).
    pub fn load(manifest_json: &str, read: &mut dyn FnMut(&str) -> Result<Vec<u8>, String>) -> Result<Self, WeightsError> {
        let manifest = Manifest::from_json(manifest_json)?;
        let mut pipelines = BTreeMap::new();
        for (id, process) in &manifest.processes {
            let pair: Pair = id.parse().map_err(|error: crate::pair::UnknownPair| WeightsError::Manifest(error.to_string()))?;
            if process.final_state_pdg != pair.pdg() {
                return Err(WeightsError::Manifest(format!(
                    "{id}: final_state_pdg {:?} does not match {:?}",
                    process.final_state_pdg,
                    pair.pdg()
                )));
            }
            let lo = Stage::load(id, "lo", &process.lo, read)?;
            let k = Stage::load(id, "k", &process.k, read)?;
            pipelines.insert(pair, PairPipeline { pair, lo, k });
        }
        if pipelines.is_empty() {
            return Err(WeightsError::Manifest("the manifest lists no process".into()));
        }
        Ok(WeightSet { description: manifest.description, sign_convention: manifest.sign_convention, pipelines })
    }

    /// Loads the set embedded at build time from `weights/`.
    pub fn embedded() -> Result<Self, WeightsError> {
        let files = crate::embedded::embedded_files();
        let manifest = files
            .iter()
            .find(|(name, _)| *name == "manifest.json")
            .ok_or(WeightsError::NoEmbeddedWeights)?;
        let manifest = std::str::from_utf8(&manifest.1).map_err(|error| WeightsError::Manifest(error.to_string()))?;
        WeightSet::load(manifest, &mut |name| {
            let file = format!("{name}.safetensors");
            files
                .iter()
                .find(|(embedded, _)| *embedded == file)
                .map(|(_, bytes)| bytes.clone())
                .ok_or_else(|| format!("{file} is not embedded"))
        })
    }

    /// Returns the same set evaluated in f64 arithmetic. It is slower and
    /// serves to measure how much a point's result depends on f32 rounding.
    pub fn in_f64(mut self) -> Self {
        for pipeline in self.pipelines.values_mut() {
            for stage in [&mut pipeline.lo, &mut pipeline.k] {
                stage.general.f64_arithmetic = true;
                if let Some(specialised) = &mut stage.specialised {
                    specialised.f64_arithmetic = true;
                }
            }
        }
        self
    }

    /// The pipeline of a pair, if the set covers it.
    pub fn pipeline(&self, pair: Pair) -> Option<&PairPipeline> {
        self.pipelines.get(&pair)
    }

    /// Pairs covered by the set.
    pub fn pairs(&self) -> Vec<Pair> {
        self.pipelines.keys().copied().collect()
    }

    /// Every network of the set, for tensor comparisons.
    pub fn networks(&self) -> Vec<&Network> {
        let mut networks = Vec::new();
        for pipeline in self.pipelines.values() {
            for stage in [&pipeline.lo, &pipeline.k] {
                networks.extend(stage.general.members.iter());
                if let Some(specialised) = &stage.specialised {
                    networks.extend(specialised.members.iter());
                }
            }
        }
        networks
    }
}
