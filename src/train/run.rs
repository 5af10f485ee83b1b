//! Training of one stage (LO or K of one pair) from labelled points to
//! written networks: sign canonicalisation, the training/validation split,
//! features and output map fitted on the training rows, the ensemble
//! members, and the stage description and manifest.

use std::path::Path;
use std::time::Instant;

use ndarray::Array1;

use super::dataset::LabelledSet;
use super::export::{write_manifest, write_network, StageDescription};
use super::features::{feature_names, FeatureChoice, FeatureSet, StageKind};
use super::objective::{Objective, OutputMap};
use super::trainer::{split_indices, train_network, TrainConfig, TrainObserver, TrainedNetwork};
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
    let usable: Vec<usize> = (0..data.len()).filter(|&i| data.labels[i].is_finite() && data.labels[i] > 0.0).collect();
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

    let features = FeatureSet::fit(feature_names(pair, stage, options.features), &training.records)?;
    let map = match stage {
        StageKind::Lo => OutputMap::fit_exp(&training.labels),
        StageKind::K => OutputMap::fit_linear(&training.labels),
    }
    .ok_or_else(|| TrainError::Invalid("labels do not allow an output map".into()))?;
    let objective = Objective::new(map);
    let training_features = features.matrix(&training.records)?;
    let validation_features = features.matrix(&validation.records)?;
    let training_labels = Array1::from_vec(training.labels.clone());
    let validation_labels = Array1::from_vec(validation.labels.clone());

    std::fs::create_dir_all(directory).map_err(|error| TrainError::io(directory, error))?;
    let mut trained: Vec<TrainedNetwork> = Vec::new();
    let mut names = Vec::new();
    for member in 0..options.members {
        let name = member_name(pair, stage, member);
        let mut member_observer = observer(&name);
        let network = train_network(
            (training_features.view(), training_labels.view()),
            (validation_features.view(), validation_labels.view()),
            &objective,
            &options.config,
            options.seed + member as u64,
            member_observer.as_mut(),
        );
        write_network(directory, &name, &network.network)?;
        names.push(name);
        trained.push(network);
    }

    // The ensemble value is the mean of the members' mapped outputs, as the
    // inference core computes it.
    let mut mean = Array1::<f64>::zeros(validation.len());
    for member in &trained {
        let outputs = member.network.forward_parallel(validation_features.view());
        mean.zip_mut_with(&outputs, |sum, &y| *sum += map.value(f64::from(y)));
    }
    mean /= trained.len() as f64;
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
            map.manifest_expression(stage.quantity()),
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
