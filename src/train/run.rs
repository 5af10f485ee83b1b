//! Training of one stage (LO or K of one pair) from labelled points to
//! written networks: sign canonicalisation, the training/validation split,
//! features and output map fitted on the training rows, the ensemble
//! members, and the stage description and manifest.

use std::path::Path;
use std::time::Instant;

use ndarray::Array2;

use super::dataset::LabelledSet;
use super::export::{write_manifest, write_network, StageDescription};
use super::features::{
    feature_names, fit_mass_factor, structured_coefficients, structured_form, structured_squark_factors, FeatureChoice, FeatureSet, StageKind,
};
use super::objective::{Objective, OutputMap, Structure};
use super::trainer::{mapped_values, split_indices, train_network, TrainConfig, TrainObserver, TrainedNetwork};
use super::warm::InitialStage;
use super::TrainError;
use crate::pair::Pair;
use crate::predict::canonicalize_signs;

/// Options of a stage training.
#[derive(Debug, Clone)]
pub struct StageOptions {
    pub config: TrainConfig,
    pub features: FeatureChoice,
    /// Ensemble size; member i trains from seed `seed + i`.
    pub members: usize,
    pub seed: u64,
    pub validation_fraction: f64,
    /// Description of the label source, stored with the stage.
    pub label_source: String,
    /// Description written into the manifest.
    pub description: String,
    /// An existing stage whose features, z-score constants and output map
    /// the run keeps. When it carries networks, member i continues from its
    /// member i (a warm start). Without networks the members start from new
    /// random weights, to grow that stage's ensemble.
    pub initial: Option<InitialStage>,
    /// Index of the first member: members are named and seeded from
    /// `first_member` on, so that new members of a grown ensemble do not
    /// clash with the existing ones.
    pub first_member: usize,
    /// Term targets: a structured LO network also trains against the values
    /// of its terms (the data's `term` columns, see [`super::terms`]).
    pub term_targets: bool,
    /// Mass factors: each coupling product of a structured network is
    /// multiplied by a fit of σ_LO's fall with the final-state masses and
    /// by its term's squark propagator factors (see [`fit_mass_factor`] and
    /// [`structured_squark_factors`]). The network outputs then learn a
    /// much flatter function. Pairs with signed terms only.
    pub mass_factors: bool,
    /// Term factors: with mass factors, each term gets its own fit of the
    /// fall with the masses, on its values from the data's `term` columns,
    /// instead of one fit on σ over the summed coupling products.
    pub term_factors: bool,
}

/// Divides each label by the sum of the absolute coupling products of its row.
fn labels_over_summed_products(labels: &[f64], products: &[Vec<f64>]) -> Vec<f64> {
    labels.iter().zip(products).map(|(label, row)| label / row.iter().map(|c| c.abs()).sum::<f64>()).collect()
}

/// Writes a squark propagator factor over the mean of the eight first- and
/// second-generation squark masses instead of single squarks.
fn mean_squark_propagators(factor: &str) -> String {
    ["m_1000001", "m_1000002", "m_2000002"].iter().fold(factor.to_string(), |text, squark| text.replace(squark, crate::pipeline::MEAN_SQUARK_VARIABLE))
}

/// Marks the term columns with a value that is not positive in some row.
fn sign_changing_terms(terms: &[Vec<f64>], columns: usize) -> Vec<bool> {
    (0..columns).map(|k| terms.iter().any(|row| !(row.get(k).is_some_and(|value| *value > 0.0)))).collect()
}

/// Network name of ensemble member `member`.
pub fn member_name(pair: Pair, stage: StageKind, member: usize) -> String {
    format!("{}_{}_{member}", pair.id(), stage.id())
}

/// Trains the stage on `data` (labels that are not finite and positive
/// are dropped) and writes its networks, description and the manifest
/// into `directory`. `observer` makes the observer of each member.
pub fn train_stage(
    data: &LabelledSet,
    pair: Pair,
    stage: StageKind,
    options: &StageOptions,
    directory: &Path,
    observer: &mut dyn FnMut(&str) -> Box<dyn TrainObserver>,
) -> Result<StageDescription, TrainError> {
    let started = Instant::now();
    // Relative losses divide by the label, so subnormal labels are left out
    // with zeros and negatives.
    let usable: Vec<usize> = (0..data.len()).filter(|&i| data.labels[i].is_normal() && data.labels[i] > 0.0).collect();
    let mut data = data.subset(&usable);
    data.records = data.records.iter().map(canonicalize_signs).collect();
    if data.len() < 2 {
        return Err(TrainError::Invalid(format!("{pair} {}: {} usable labelled rows; at least 2 are needed", stage.id(), data.len())));
    }
    if options.members == 0 {
        return Err(TrainError::Invalid("an ensemble needs at least one member".into()));
    }
    let (training_rows, validation_rows) = split_indices(data.len(), options.validation_fraction, options.seed);
    let training = data.subset(&training_rows);
    let validation = data.subset(&validation_rows);

    let structured = options.features == FeatureChoice::Structured;
    // A structured K network weighs one K-factor per coupling product with
    // the LO terms (see `Structure::WeightedK`).
    let weighted_k = structured && stage == StageKind::K;
    if weighted_k {
        if !matches!(structured_form(pair), Structure::SignedTerms { .. }) {
            return Err(TrainError::Invalid(format!("{pair} k: structured K networks are for pairs with signed terms (n2n2, n2c1p, n2c1m); choose basic or physics features")));
        }
        // NOTE: a structured K stage refits its mass factors and clip range
        // on each run's rows, so a run cannot keep another run's map.
        if let Some(initial) = &options.initial {
            return Err(TrainError::Invalid(format!(
                "{pair} k: a structured K stage cannot continue or grow the stage in {}; train all its members in one run",
                initial.source
            )));
        }
        if options.mass_factors || options.term_factors || options.config.normalised_outputs {
            return Err(TrainError::Invalid(format!(
                "{pair} k: mass factors, term factors and normalised outputs are options of LO stages; a structured K network always fits one mass factor per term"
            )));
        }
    }
    let names = feature_names(pair, stage, options.features);
    let (features, map) = match &options.initial {
        Some(initial) => {
            if names != initial.features {
                return Err(TrainError::Invalid(format!(
                    "{pair} {}: the stage in {} reads the features {:?}, but this run's are {names:?}; choose the same --features",
                    stage.id(),
                    initial.source,
                    initial.features
                )));
            }
            (FeatureSet::with_constants(names, initial.mean.clone(), initial.std.clone())?, initial.map)
        }
        None => {
            let map = match stage {
                StageKind::Lo => OutputMap::fit_exp(&training.labels),
                StageKind::K => OutputMap::fit_linear(&training.labels),
            }
            .ok_or_else(|| TrainError::Invalid("labels do not allow an output map".into()))?;
            (FeatureSet::fit(names, &training.records)?, map)
        }
    };
    if options.term_factors && !options.mass_factors {
        return Err(TrainError::Invalid("term factors need mass factors: add --mass-factors".into()));
    }
    let mass_factors = if options.mass_factors || weighted_k {
        let mut squark = structured_squark_factors(pair)
            .ok_or_else(|| TrainError::Invalid(format!("{pair} has no signed terms; mass factors are for n2n2, n2c1p and n2c1m")))?;
        if !structured {
            return Err(TrainError::Invalid("mass factors need structured features".into()));
        }
        if weighted_k {
            // The K terms are those of the spectrum with the squarks at their
            // mean mass (`label --stage k --terms`).
            squark = squark.iter().map(|factor| mean_squark_propagators(factor)).collect();
        }
        let fits: Vec<String> = if options.term_factors || weighted_k {
            // Each term gets its own fit, on its values over its squark factors.
            if training.terms.first().map_or(0, Vec::len) != squark.len() {
                let (what, stage_option) = if weighted_k { ("a structured K network needs", " --stage k") } else { ("term factors need", "") };
                return Err(TrainError::Invalid(format!(
                    "{pair} {}: {what} {} term columns (term0 …). Write them with `deepxs-train label{stage_option} --terms`",
                    stage.id(),
                    squark.len()
                )));
            }
            let squark_values = FeatureSet::fit(squark.clone(), &[])?.raw_values(&training.records)?;
            (0..squark.len())
                .map(|k| {
                    let values: Vec<f64> = training.terms.iter().zip(&squark_values).map(|(terms, factors)| terms[k] / factors[k]).collect();
                    fit_mass_factor(pair, &training.records, &values)
                })
                .collect::<Result<_, _>>()?
        } else {
            // The fit runs on σ over the summed coupling products, so that it
            // follows the masses and not couplings correlated with them (a
            // bino-like χ̃⁰₂ is both heavier than χ̃±₁ and weakly coupled).
            let products = FeatureSet::fit(structured_coefficients(pair), &[])?.raw_values(&training.records)?;
            let scaled = labels_over_summed_products(&training.labels, &products);
            vec![fit_mass_factor(pair, &training.records, &scaled)?; squark.len()]
        };
        // NOTE: the core evaluates the fitted factors once per term and
        // member. The four pairs of an SLHA file took 45 to 60 µs with these
        // maps, against 40 µs without.
        let names = squark.iter().zip(&fits).map(|(factor, fit)| if factor == "1" { fit.clone() } else { format!("{fit}*{factor}") }).collect();
        Some(FeatureSet::fit(names, &[])?)
    } else {
        None
    };
    // A structured network's targets carry the coupling products of each
    // row after the label, evaluated with the core's expressions.
    let coefficients = if structured {
        // Fitted on no rows, the set keeps mean 0 and scale 1.
        let mut products = structured_coefficients(pair);
        if let Some(factors) = &mass_factors {
            products = products.iter().zip(&factors.names).map(|(product, factor)| format!("({factor})*{product}")).collect();
        }
        Some(FeatureSet::fit(products, &[])?)
    } else {
        None
    };
    // Normalised outputs refit a new stage's map on ln(σ/Σₖ|cₖ|). A warm
    // start or a grown ensemble keeps the map of its stage.
    let signed_terms = structured && matches!(structured_form(pair), Structure::SignedTerms { .. });
    if options.config.normalised_outputs && !signed_terms {
        return Err(TrainError::Invalid(format!("{pair} {}: normalised outputs are for structured networks with signed terms (n2n2, n2c1p, n2c1m)", stage.id())));
    }
    let map = match (&coefficients, options.config.normalised_outputs, &options.initial) {
        (Some(coefficients), true, None) => {
            let products = coefficients.raw_values(&training.records)?;
            let mut ratios = labels_over_summed_products(&training.labels, &products);
            ratios.retain(|ratio| ratio.is_finite() && *ratio > 0.0);
            OutputMap::fit_exp(&ratios).ok_or_else(|| TrainError::Invalid(format!("{pair} {}: no row has a non-zero coupling product", stage.id())))?
        }
        _ => map,
    };
    let objective = match (&coefficients, weighted_k, &mass_factors) {
        (Some(_), true, Some(factors)) => {
            // The shape outputs learn the LO terms over their mass factors.
            // Their logarithms spread by about 0.1 (n2c1m teacher rows).
            let divisors = factors.raw_values(&training.records)?;
            let shapes: Vec<f64> = training
                .terms
                .iter()
                .zip(&divisors)
                .flat_map(|(terms, divisors)| terms.iter().zip(divisors).map(|(term, divisor)| term / divisor))
                .filter(|shape| shape.is_finite() && *shape > 0.0)
                .collect();
            let shape = OutputMap::fit_exp(&shapes).ok_or_else(|| TrainError::Invalid(format!("{pair} k: no term value is positive")))?;
            let Structure::SignedTerms { signs } = structured_form(pair) else {
                return Err(TrainError::Invalid(format!("{pair} has no signed terms")));
            };
            let objective = Objective::structured(map, options.config.loss, Structure::WeightedK { signs, shape });
            objective.with_term_targets().ok_or_else(|| TrainError::Invalid(format!("{pair} k: a weighted K has term targets")))?
        }
        (Some(_), _, _) => Objective::structured(map, options.config.loss, structured_form(pair)),
        (None, _, _) => Objective::new(map),
    };
    let objective = if options.term_targets && !weighted_k {
        let Some(objective) = objective.with_term_targets() else {
            return Err(TrainError::Invalid(format!("{pair} {}: term targets need structured features and a pair with signed terms (not c1c1)", stage.id())));
        };
        let columns = data.terms.first().map_or(0, Vec::len);
        if columns != objective.coefficients() {
            return Err(TrainError::Invalid(format!(
                "{pair} {}: term targets need {} term columns (term0 …), the data has {columns}; write them with `deepxs-train label --terms`",
                stage.id(),
                objective.coefficients()
            )));
        }
        objective
    } else {
        objective
    };
    // Near the zero of a function that changes sign, its term values are
    // tiny and their relative errors would swamp the term loss. Such a term
    // (n2n2's Z and right-squark interference, negative on 1.2 % of the wide
    // rows) learns through σ alone, because a zero target adds no loss.
    let sign_changing = if objective.term_targets { sign_changing_terms(&training.terms, objective.coefficients()) } else { vec![false; objective.coefficients()] };
    let targets = |set: &LabelledSet| -> Result<Array2<f64>, TrainError> {
        let products = match &coefficients {
            Some(coefficients) => coefficients.raw_values(&set.records)?,
            None => vec![Vec::new(); set.len()],
        };
        // With mass factors an output stands for its term over the factor.
        let factors = match (&mass_factors, objective.term_targets) {
            (Some(factors), true) => Some(factors.raw_values(&set.records)?),
            _ => None,
        };
        let mut matrix = Array2::<f64>::zeros((set.len(), objective.target_columns()));
        for (row, (label, products)) in set.labels.iter().zip(&products).enumerate() {
            matrix[[row, 0]] = *label;
            for (column, value) in products.iter().enumerate() {
                matrix[[row, column + 1]] = *value;
            }
            if objective.term_targets {
                for (column, value) in set.terms[row].iter().enumerate() {
                    let factor = factors.as_ref().map_or(1.0, |factors| factors[row][column]);
                    matrix[[row, 1 + products.len() + column]] = if sign_changing[column] { 0.0 } else { value / factor };
                }
            }
        }
        Ok(matrix)
    };
    let output = match &coefficients {
        Some(set) => {
            // A structured K leaves the range of its training labels mostly
            // where its LO terms cancel, below σ_min. The map clips it.
            let low = training.labels.iter().copied().fold(f64::INFINITY, f64::min);
            let high = training.labels.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            structured_expression(&map, &objective.structure, stage.quantity(), &set.names, (low, high))
        }
        None => map.manifest_expression(stage.quantity()),
    };
    let mut widths = vec![features.names.len()];
    widths.extend(&options.config.hidden);
    widths.push(objective.outputs());
    if let Some(initial) = &options.initial {
        check_initial_stage(initial, &output, &widths, options.members).map_err(|detail| {
            TrainError::Invalid(format!("{pair} {}: the stage in {} does not fit this run: {detail}", stage.id(), initial.source))
        })?;
    }
    let training_features = features.matrix(&training.records)?;
    let validation_features = features.matrix(&validation.records)?;
    let training_labels = targets(&training)?;
    let validation_labels = targets(&validation)?;

    std::fs::create_dir_all(directory).map_err(|error| TrainError::io(directory, error))?;
    let mut trained: Vec<TrainedNetwork> = Vec::new();
    let mut names = Vec::new();
    for index in 0..options.members {
        let member = options.first_member + index;
        let name = member_name(pair, stage, member);
        let mut member_observer = observer(&name);
        let network = train_network(
            (training_features.view(), training_labels.view()),
            (validation_features.view(), validation_labels.view()),
            &objective,
            &options.config,
            options.seed + member as u64,
            options.initial.as_ref().and_then(|initial| initial.members.get(index)),
            member_observer.as_mut(),
        );
        write_network(directory, &name, &network.network)?;
        names.push(name);
        trained.push(network);
    }

    // The ensemble value is the mean of the members' mapped outputs, as the
    // inference core computes it.
    let mut mean = vec![0.0f64; validation.len()];
    for member in &trained {
        let values = mapped_values(&member.network, validation_features.view(), validation_labels.view(), &objective);
        mean.iter_mut().zip(values).for_each(|(sum, value)| *sum += value);
    }
    mean.iter_mut().for_each(|sum| *sum /= trained.len() as f64);
    let errors: Vec<f64> = mean.iter().zip(&validation.labels).map(|(value, label)| (value / label - 1.0).abs()).collect();
    let ensemble_mape = errors.iter().sum::<f64>() / errors.len().max(1) as f64 * 100.0;
    let ensemble_max = errors.iter().copied().fold(0.0, f64::max) * 100.0;

    let description = StageDescription {
        pair,
        stage: stage.id().to_string(),
        spec: StageDescription::spec(
            names,
            options.config.hidden.len(),
            features.names.clone(),
            features.mean.clone(),
            features.std.clone(),
            output,
        ),
        label_source: options.label_source.clone(),
        training_rows: training.len(),
        validation_rows: validation.len(),
        seeds: trained.iter().map(|member| member.seed).collect(),
        member_validation_mape_percent: trained.iter().map(|member| member.validation_mape_percent).collect(),
        ensemble_validation_mape_percent: ensemble_mape,
        ensemble_validation_max_percent: ensemble_max,
        training_seconds: started.elapsed().as_secs_f64(),
    };
    description.write(directory)?;
    write_manifest(directory, &options.description)?;
    Ok(description)
}

/// Checks that an initial stage fits the run: the same output expression
/// and, when it carries networks, at least `members` of them with layer
/// widths `widths` (inputs, hidden layers, outputs) and SELU after every
/// hidden layer.
fn check_initial_stage(initial: &InitialStage, output: &str, widths: &[usize], members: usize) -> Result<(), String> {
    if initial.output != output {
        return Err(format!("its output map is '{}', this run's would be '{output}'", initial.output));
    }
    if !initial.members.is_empty() && initial.members.len() < members {
        return Err(format!("it has {} members, fewer than the {members} asked for", initial.members.len()));
    }
    for (index, member) in initial.members.iter().enumerate().take(members) {
        let mut shape: Vec<usize> = member.kernels.iter().map(|kernel| kernel.nrows()).collect();
        shape.extend(member.kernels.last().map(|kernel| kernel.ncols()));
        if shape != widths || member.selu_layers + 2 != widths.len() {
            return Err(format!(
                "member {index} has layer widths {shape:?} with {} SELU layers; this run needs {widths:?} with SELU after every hidden layer",
                member.selu_layers
            ));
        }
    }
    Ok(())
}

/// Writes the manifest output map of a structured network. It is
/// `quantity = f(y0) * ((c1) * y1 + (c2) * y2 + …)` for
/// [`Structure::Linear`], `quantity = (c1) * f(y0) - (c2) * f(y1) …` for
/// [`Structure::SignedTerms`], and for [`Structure::WeightedK`] the
/// weighted mean of the K-factors, clipped to `range`.
fn structured_expression(map: &OutputMap, structure: &Structure, quantity: &str, coefficients: &[String], range: (f64, f64)) -> String {
    let prefix = format!("{quantity} = ");
    // The right-hand side of a map, applied to output `index`.
    let applied = |map: &OutputMap, index: usize| {
        let text = map.manifest_expression(quantity);
        text[prefix.len()..].replacen(" y ", &format!(" y{index} "), 1)
    };
    let mapped = |index: usize| applied(map, index);
    match structure {
        Structure::WeightedK { signs, shape } => {
            // (Σₖ sₖ cₖ g(yₖ) f(y_{n+k})) / (Σₖ sₖ cₖ g(yₖ))
            let count = signs.len();
            let shape_text = |index: usize| applied(shape, index);
            let weight = |k: usize| {
                let sign = if signs[k] < 0.0 { "-" } else { "" };
                format!("{sign}({}) * {}", coefficients[k], shape_text(k))
            };
            let numerator: Vec<String> = (0..count).map(|k| format!("{} * ({})", weight(k), mapped(count + k))).collect();
            let denominator: Vec<String> = (0..count).map(weight).collect();
            format!("{prefix}max({:?}, min({:?}, ({}) / ({})))", range.0, range.1, numerator.join(" + "), denominator.join(" + "))
        }
        Structure::SignedTerms { signs } => {
            let mut text = prefix.clone();
            for (k, (coefficient, sign)) in coefficients.iter().zip(signs).enumerate() {
                let operator = match (k, *sign < 0.0) {
                    (0, false) => "",
                    (0, true) => "-",
                    (_, false) => " + ",
                    (_, true) => " - ",
                };
                text.push_str(&format!("{operator}({coefficient}) * {}", mapped(k)));
            }
            text
        }
        _ => {
            let terms: Vec<String> = coefficients.iter().enumerate().map(|(k, c)| format!("({c}) * y{}", k + 1)).collect();
            format!("{prefix}{} * ({})", mapped(0), terms.join(" + "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Expression;
    use crate::pipeline::{record_variables, resolve_output_variable};
    use crate::record::InputRecord;
    use ndarray::ArrayView1;

    #[test]
    fn sign_changing_terms_are_found() {
        let terms = vec![vec![1.0, 2.0, 3.0], vec![0.5, -1e-9, 2.0], vec![0.1, 1.0, f64::NAN]];
        assert_eq!(sign_changing_terms(&terms, 3), [false, true, true]);
        assert_eq!(sign_changing_terms(&terms[..1], 4), [false, false, false, true], "a missing column counts as not positive");
    }

    /// The manifest text of a structured map, read back as the core reads
    /// it, gives the value the trainer optimised.
    #[test]
    fn structured_expression_matches_objective() {
        let map = OutputMap::Exp { scale: 2.5, offset: -7.0 };
        let values = [-0.3, 0.95, 0.2, -0.98, 0.1, -0.6, 0.7, 0.37, -400.0, 410.0, 1500.0, 1600.0, 1700.0, 1550.0, 1500.0, 1600.0, 1550.0, 1700.0, 2500.0];
        let record = InputRecord::from_values(values);
        let variables = record_variables(&record);
        let k_map = OutputMap::Linear { scale: 0.07, offset: 1.25 };
        let mut cases: Vec<(Pair, OutputMap, Structure)> =
            [Pair::C1c1, Pair::N2n2, Pair::N2c1p, Pair::N2c1m].into_iter().map(|pair| (pair, map, structured_form(pair))).collect();
        for pair in [Pair::N2n2, Pair::N2c1p, Pair::N2c1m] {
            let Structure::SignedTerms { signs } = structured_form(pair) else { panic!("{pair} has signed terms") };
            cases.push((pair, k_map, Structure::WeightedK { signs, shape: map }));
        }
        for (pair, map, structure) in cases {
            let objective = Objective::structured(map, crate::train::objective::Loss::SquaredRelative, structure.clone());
            let coefficients = FeatureSet::fit(structured_coefficients(pair), &[]).expect("valid coefficients");
            let products = coefficients.raw_values(&[record]).expect("complete record").remove(0);
            assert_eq!(products.len(), objective.coefficients(), "{pair}");
            let text = structured_expression(&map, &structure, "sigma_pb", &coefficients.names, (-1e300, 1e300));
            assert!(text.matches(" y").count() >= objective.outputs(), "{pair}: every output appears\n{text}");
            let right = text.split_once('=').expect("has '='").1;
            let outputs = objective.outputs();
            let expression = Expression::compile(right, &resolve_output_variable).unwrap_or_else(|error| panic!("{pair}: {error}\n{text}"));
            let y: Vec<f64> = (0..outputs).map(|k| 0.1 * k as f64 - 0.35 - 0.013 * (k * k) as f64).collect();
            let mut slots = variables.to_vec();
            slots.extend(&y);
            let mut target = vec![1.0];
            target.extend(&products);
            let expected = objective.value(&y, ArrayView1::from(&target));
            let read_back = expression.evaluate(&slots);
            assert!((read_back / expected - 1.0).abs() < 1e-12, "{pair}: {read_back} vs {expected}\n{text}");
            if let Structure::WeightedK { .. } = structure {
                let clipped = structured_expression(&map, &structure, "K", &coefficients.names, (expected + 0.5, expected + 1.0));
                let clipped = Expression::compile(clipped.split_once('=').expect("has '='").1, &resolve_output_variable).expect("parses");
                assert_eq!(clipped.evaluate(&slots), expected + 0.5, "{pair}: K below the range is raised to its lower end");
            }
        }
    }
}
