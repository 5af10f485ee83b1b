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

/// Number of feature variables: the 19 columns and the mean squark mass.
pub const FEATURE_VARIABLES: usize = 20;

/// Largest number of network outputs an output map may read.
const MAX_OUTPUTS: usize = 256;

/// Index of a feature variable: a canonical column or [`MEAN_SQUARK_VARIABLE`].
pub fn resolve_feature_variable(name: &str) -> Option<usize> {
    if name == MEAN_SQUARK_VARIABLE {
        return Some(MEAN_SQUARK_INDEX);
    }
    Column::from_name(name).map(Column::index)
}

/// Returns the index of a variable of an output map. Network output i is
/// `y{i}` (`y` is `y0`) and comes after the feature variables. An output map
/// may read those too, because a structured LO network returns
/// mass-dependent coefficients that the map combines with coupling products.
pub fn resolve_output_variable(name: &str) -> Option<usize> {
    if name == "y" {
        return Some(FEATURE_VARIABLES);
    }
    if let Some(digits) = name.strip_prefix('y') {
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && (digits == "0" || !digits.starts_with('0')) {
            return digits.parse::<usize>().ok().filter(|&i| i < MAX_OUTPUTS).map(|i| FEATURE_VARIABLES + i);
        }
    }
    resolve_feature_variable(name)
}

/// Returns the feature variables of one record: the 19 columns, then
/// [`MEAN_SQUARK_VARIABLE`]. A missing value is NaN.
pub fn record_variables(record: &InputRecord) -> [f64; FEATURE_VARIABLES] {
    let mut variables = [f64::NAN; FEATURE_VARIABLES];
    for (slot, value) in variables.iter_mut().zip(record.values()) {
        *slot = value.unwrap_or(f64::NAN);
    }
    variables[MEAN_SQUARK_INDEX] = record.mean_squark_mass_gev().unwrap_or(f64::NAN);
    variables
}

/// Returns the feature variables of each record, one row per record.
fn feature_variables(records: &[InputRecord]) -> Vec<[f64; FEATURE_VARIABLES]> {
    records.iter().map(record_variables).collect()
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
    /// Evaluates every member on the z-scored features and maps the outputs
    /// with `variables`, the feature variables of the same rows. The value
    /// is the members' mean.
    fn evaluate(&self, features: &Array2<f32>, variables: &[[f64; FEATURE_VARIABLES]]) -> Vec<StageValue> {
        let rows = features.nrows();
        let mut sums = vec![0.0f64; rows];
        let mut squares = vec![0.0f64; rows];
        let mut slots: Vec<f64> = Vec::new();
        for network in &self.members {
            let outputs = if self.f64_arithmetic {
                network.forward_f64(features.view())
            } else {
                network.forward(features.view()).mapv(f64::from)
            };
            for (row, y) in outputs.rows().into_iter().enumerate() {
                slots.clear();
                slots.extend_from_slice(&variables[row]);
                slots.extend(y.iter());
                let value = self.output.evaluate(&slots);
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
        let compile_output = |text: &str| -> Result<Expression, WeightsError> {
            let expression = text.split_once('=').map_or(text, |(_, right)| right).trim();
            Expression::compile(expression, &resolve_output_variable)
        };
        let outputs: Vec<&String> = match &spec.output {
            OutputMap::One(output) => vec![output],
            OutputMap::Stacked(outputs) => vec![&outputs.general, &outputs.specialised],
        };
        let compiled_outputs = outputs.iter().map(|text| compile_output(text)).collect::<Result<Vec<_>, _>>()?;
        // A map that reads no output still needs the one output `y`.
        let highest_output = compiled_outputs.iter().flat_map(|output| output.variables()).filter(|&v| v >= FEATURE_VARIABLES).max();
        let needed = highest_output.map_or(1, |v| v - FEATURE_VARIABLES + 1);
        let mut columns: Vec<Column> = Vec::new();
        let output_variables = compiled_outputs.iter().flat_map(|output| output.variables()).filter(|&v| v < FEATURE_VARIABLES);
        for variable in features.iter().flat_map(|feature| feature.variables()).chain(output_variables) {
            if variable == MEAN_SQUARK_INDEX {
                columns.extend(crate::record::SQUARK_COLUMNS);
            } else {
                columns.push(COLUMNS[variable]);
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
                    if network.outputs() != needed {
                        return Err(WeightsError::Shape {
                            name: name.clone(),
                            detail: format!("has {} outputs but the output map reads {needed}", network.outputs()),
                        });
                    }
                    Ok(network)
                })
                .collect()
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
        self.features_of(&feature_variables(records))
    }

    fn features_of(&self, variables: &[[f64; FEATURE_VARIABLES]]) -> Array2<f32> {
        let mut matrix = Array2::<f32>::zeros((variables.len(), self.features.len()));
        for (row, values) in variables.iter().enumerate() {
            for (column, feature) in self.features.iter().enumerate() {
                let value = (feature.evaluate(values) - self.mean[column]) / self.std[column];
                matrix[[row, column]] = value as f32;
            }
        }
        matrix
    }

    /// Evaluates the stage. `final_lo_pb` is needed by a K stage with the
    /// [`StackingRule::FinalLoAbove`] rule (one value per row).
    pub fn evaluate(&self, records: &[InputRecord], final_lo_pb: Option<&[f64]>) -> Vec<StageValue> {
        let variables = feature_variables(records);
        let features = self.features_of(&variables);
        let Some(specialised) = &self.specialised else {
            return self.general.evaluate(&features, &variables);
        };
        let mut values = self.general.evaluate(&features, &variables);
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
        let subset_variables: Vec<[f64; FEATURE_VARIABLES]> = selected.iter().map(|&row| variables[row]).collect();
        for (row, value) in selected.into_iter().zip(specialised.evaluate(&subset, &subset_variables)) {
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
