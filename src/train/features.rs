//! The input features of our networks and their z-scoring.
//!
//! The sets are invariant under the sign freedom of the mixing matrices
//! where that is cheap: χ̃⁺₁χ̃⁻₁ reads only bilinears of U row 1 and V row 1
//! (U11², U11·U12, V11², V11·V12, U11·V11), which do not change when both
//! rows flip; χ̃⁰₂χ̃⁰₂ reads only bilinears of N row 2. The cross sections of
//! χ̃⁰₂χ̃±₁ are quartic in the rows, so those pairs read the rows themselves
//! and rely on the canonical sign convention, which the manifests we write
//! declare for every pair. Masses enter as logarithms because the cross
//! sections fall roughly as powers of them.

use ndarray::Array2;

use super::objective::Structure;
use super::TrainError;
use crate::expr::Expression;
use crate::physics::couplings::sin2_theta_w;
use crate::pair::Pair;
use crate::pipeline::{record_variables, resolve_feature_variable};
use crate::record::InputRecord;

/// The network of a pair: LO or K.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StageKind {
    /// σ_LO in pb.
    Lo,
    /// K = σ_NLO / σ_LO.
    K,
}

impl StageKind {
    /// Short id used in file and network names.
    pub fn id(self) -> &'static str {
        match self {
            StageKind::Lo => "lo",
            StageKind::K => "k",
        }
    }

    /// Name of the mapped quantity in manifest output maps.
    pub fn quantity(self) -> &'static str {
        match self {
            StageKind::Lo => "sigma_pb",
            StageKind::K => "K",
        }
    }

    /// Parses `lo` or `k`.
    pub fn parse(text: &str) -> Result<Self, TrainError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "lo" => Ok(StageKind::Lo),
            "k" => Ok(StageKind::K),
            other => Err(TrainError::Invalid(format!("unknown stage '{other}'; expected lo or k"))),
        }
    }
}

const CHARGINO_BILINEARS: [&str; 5] = ["U11^2", "U11*U12", "V11^2", "V11*V12", "U11*V11"];
const NEUTRALINO_BILINEARS: [&str; 9] =
    ["N21^2", "N22^2", "N21*N22", "N23^2-N24^2", "N23*N24", "N21*N23", "N21*N24", "N22*N23", "N22*N24"];
const MIXED_ROWS: [&str; 8] = ["U11", "U12", "V11", "V12", "N21", "N22", "N23", "N24"];

/// Added to a squared coupling before its logarithm is taken, far below the
/// squared couplings that still give σ_LO above σ_min.
const COUPLING_FLOOR: f64 = 1e-12;

/// The feature family of a network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum FeatureChoice {
    /// Bilinears of the mixing rows (χ̃⁺₁χ̃⁻₁, χ̃⁰₂χ̃⁰₂) or the rows themselves
    /// (χ̃⁰₂χ̃±₁), and log-masses.
    #[default]
    Basic,
    /// The products of couplings that σ_LO is a linear combination of, with
    /// coefficients that depend only on the masses, and log-masses. See
    /// [`physics_feature_names`].
    Physics,
    /// LO only: the network reads log-masses alone and returns one
    /// mass-dependent function per coupling product, which the output map
    /// combines with the products (see [`structured_coefficients`] and
    /// [`structured_form`]).
    Structured,
}

impl FeatureChoice {
    /// Parses `basic` or `physics`.
    pub fn parse(text: &str) -> Result<Self, TrainError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "basic" => Ok(FeatureChoice::Basic),
            "physics" => Ok(FeatureChoice::Physics),
            "structured" => Ok(FeatureChoice::Structured),
            other => Err(TrainError::Invalid(format!("unknown feature family '{other}'; expected basic, physics or structured"))),
        }
    }
}

/// Feature expressions of a pair's LO or K network. The K networks add the
/// mean squark mass and the gluino mass, which enter at NLO through the
/// QCD corrections.
pub fn feature_names(pair: Pair, stage: StageKind, choice: FeatureChoice) -> Vec<String> {
    let mut names: Vec<String> = match choice {
        FeatureChoice::Basic => basic_feature_names(pair),
        FeatureChoice::Physics => physics_feature_names(pair),
        FeatureChoice::Structured if stage == StageKind::K => return structured_k_features(pair),
        FeatureChoice::Structured => structured_mass_features(pair),
    };
    if stage == StageKind::K {
        names.extend(["log(mean_squark_mass_8)", "log(m_gluino)"].map(str::to_string));
    }
    names
}

fn basic_feature_names(pair: Pair) -> Vec<String> {
    let names: Vec<&str> = match pair {
        Pair::C1c1 => CHARGINO_BILINEARS.iter().copied().chain(["log(m_chi1pm)", "log(m_1000001)", "log(m_1000002)"]).collect(),
        Pair::N2n2 => NEUTRALINO_BILINEARS
            .iter()
            .copied()
            .chain(["log(abs(m_chi20))", "log(m_1000001)", "log(m_2000001)", "log(m_2000002)", "log(m_1000002)"])
            .collect(),
        Pair::N2c1p | Pair::N2c1m => MIXED_ROWS
            .iter()
            .copied()
            .chain(["m_chi20/abs(m_chi20)", "log(abs(m_chi20))", "log(m_chi1pm)", "log(m_1000001)", "log(m_1000002)"])
            .collect(),
    };
    names.into_iter().map(str::to_string).collect()
}

/// Physics-aware features. At LO every channel is a sum of s-channel
/// (γ, Z or W) and t/u-channel squark amplitudes, so σ_LO is a linear
/// combination of products of their couplings whose coefficients depend only
/// on the masses (and, for the mixed pair, the sign of the χ̃⁰₂ mass):
///
/// - χ̃⁺₁χ̃⁻₁: the Z couplings and the squark couplings are linear in U11² and
///   V11², so σ is quadratic in them.
/// - χ̃⁰₂χ̃⁰₂: the Z coupling N23² − N24² and the squared squark couplings
///   a_u², a_d² (left squarks) and N21² (right squarks), with
///   a_u = sin θ_W/6 · N21 + cos θ_W/2 · N22 and
///   a_d = sin θ_W/6 · N21 − cos θ_W/2 · N22 (the left coupling
///   (e_q − T3) sin θ_W N21 + T3 cos θ_W N22).
/// - χ̃⁰₂χ̃±₁: the W couplings O^L = N22 V11 − N24 V12/√2 and
///   O^R = N22 U11 + N23 U12/√2 and the squark products a_u V11 and a_d U11;
///   all ten pairwise products, and the six mixed ones again times the sign
///   of m(χ̃⁰₂), which flips the interference of the mass-insertion terms.
///
/// Each squared coupling also enters as its logarithm (floored at
/// [`COUPLING_FLOOR`]).
///
/// Every product is even in N row 2 and in U row 1 with V row 1, so these
/// features do not depend on the sign convention of the mixing matrices.
pub fn physics_feature_names(pair: Pair) -> Vec<String> {
    // Couplings suppressed by small mixing span decades, and σ follows
    // their square when that channel dominates, so each squared coupling
    // also enters as a logarithm. The floor keeps an exact zero finite.
    let log_square = |coupling: &str| format!("log({coupling}^2+{COUPLING_FLOOR:e})");
    let (a_u, a_d) = left_squark_couplings();
    let sign = "m_chi20/abs(m_chi20)".to_string();
    let mut names: Vec<String> = Vec::new();
    match pair {
        Pair::C1c1 => {
            names.extend(["U11^2", "V11^2", "U11^4", "V11^4", "U11^2*V11^2"].map(str::to_string));
            names.extend([log_square("U11"), log_square("V11")]);
            names.extend(["log(m_chi1pm)", "log(m_1000001)", "log(m_1000002)"].map(str::to_string));
        }
        Pair::N2n2 => {
            let z = "(N23^2-N24^2)".to_string();
            let squares = [format!("{a_u}^2"), format!("{a_d}^2"), "N21^2".to_string()];
            names.push(z.clone());
            names.push(format!("{z}^2"));
            names.push(log_square(&z));
            for square in &squares {
                names.push(square.clone());
                names.push(format!("{z}*{square}"));
                names.push(format!("{square}^2"));
                names.push(format!("log({square}+{COUPLING_FLOOR:e})"));
            }
            names.push(sign);
            names.extend(
                ["log(abs(m_chi20))", "log(m_1000001)", "log(m_2000001)", "log(m_2000002)", "log(m_1000002)"].map(str::to_string),
            );
        }
        Pair::N2c1p | Pair::N2c1m => {
            let couplings = [
                "(N22*V11-0.70710678*N24*V12)".to_string(),
                "(N22*U11+0.70710678*N23*U12)".to_string(),
                format!("({a_u}*V11)"),
                format!("({a_d}*U11)"),
            ];
            for (first, a) in couplings.iter().enumerate() {
                names.push(format!("{a}^2"));
                names.push(log_square(a));
                for b in &couplings[first + 1..] {
                    names.push(format!("{a}*{b}"));
                    names.push(format!("{sign}*{a}*{b}"));
                }
            }
            names.push(sign);
            names.extend(["log(abs(m_chi20))", "log(m_chi1pm)", "log(m_1000001)", "log(m_1000002)"].map(str::to_string));
        }
    }
    names
}

/// Returns sin θ_W/6 and cos θ_W/2, the factors of N21 and N22 in the
/// χ̃⁰₂ couplings to left squarks.
pub fn left_squark_constants() -> (f64, f64) {
    let sin_w = sin2_theta_w().sqrt();
    let cos_w = (1.0 - sin2_theta_w()).sqrt();
    (sin_w / 6.0, cos_w / 2.0)
}

/// Returns the χ̃⁰₂ couplings a_u and a_d of up- and down-type left squarks
/// as expressions over N row 2: sin θ_W/6 · N21 ± cos θ_W/2 · N22, with the
/// constants rounded to 8 digits.
fn left_squark_couplings() -> (String, String) {
    let (bino, wino) = left_squark_constants();
    (format!("({bino:.8}*N21+{wino:.8}*N22)"), format!("({bino:.8}*N21-{wino:.8}*N22)"))
}

/// Returns the network inputs of a structured LO network: the logarithms of the
/// masses that the coefficients of the coupling products depend on. The
/// final-state masses set the phase space and the scale of the parton
/// densities. The squarks are those exchanged in the t and u channels: left
/// squarks couple charginos to quarks, left and right ones neutralinos.
pub fn structured_mass_features(pair: Pair) -> Vec<String> {
    let names: &[&str] = match pair {
        Pair::C1c1 => &["log(m_chi1pm)", "log(m_1000001)", "log(m_1000002)", "log(m_1000003)", "log(m_1000004)"],
        Pair::N2n2 => &[
            "log(abs(m_chi20))",
            "log(m_1000001)",
            "log(m_2000001)",
            "log(m_1000002)",
            "log(m_2000002)",
            "log(m_1000003)",
            "log(m_2000003)",
            "log(m_1000004)",
            "log(m_2000004)",
        ],
        Pair::N2c1p | Pair::N2c1m => {
            &["log(abs(m_chi20))", "log(m_chi1pm)", "log(m_1000001)", "log(m_1000002)", "log(m_1000003)", "log(m_1000004)"]
        }
    };
    names.iter().map(|name| name.to_string()).collect()
}

/// Returns the inputs of a structured K network (see
/// [`Structure::WeightedK`]): the logarithms of the final-state masses, of
/// the mean of the eight first- and second-generation squark masses and of
/// the gluino mass. Prospino computes K with those squarks at their mean
/// mass, so K depends on no single squark mass.
pub fn structured_k_features(pair: Pair) -> Vec<String> {
    let masses: &[&str] = match pair {
        Pair::C1c1 => &["log(m_chi1pm)"],
        Pair::N2n2 => &["log(abs(m_chi20))"],
        Pair::N2c1p | Pair::N2c1m => &["log(abs(m_chi20))", "log(m_chi1pm)"],
    };
    masses.iter().copied().chain(["log(mean_squark_mass_8)", "log(m_gluino)"]).map(str::to_string).collect()
}

/// Returns the coupling products cₖ of a structured LO network, as
/// expressions over the input columns. σ_LO is exactly Σₖ cₖ Fₖ(masses) (see
/// [`physics_feature_names`] for the couplings):
///
/// - χ̃⁺₁χ̃⁻₁: 1, U11², V11², U11⁴, V11⁴, U11²V11². σ is quadratic in the
///   Z, γ and squark couplings, which are linear in U11² and V11² for
///   orthogonal U and V.
/// - χ̃⁰₂χ̃⁰₂: O², O·a_u², O·a_d², O·N21², a_u⁴, a_d⁴, N21⁴ with
///   O = N23² − N24² (Z), a_u, a_d (left squarks) and N21 (right squarks).
///   Left and right quarks do not interfere, nor do different flavours.
/// - χ̃⁰₂χ̃±₁: the squares of O^L, O^R, a_u V11 and a_d U11, and the
///   products within one charge Q^u (O^L · a_u V11) and Q^t (O^R · a_d U11).
///   The four products across Q^u and Q^t enter through the mass-insertion
///   term m_a m_b s, so they carry the sign of m(χ̃⁰₂). A fit
///   of the exact engine over random mixing at fixed masses leaves relative
///   residuals below 1.1e-7 with these ten and finds zero for the other six
///   combinations.
///
/// Every product is even in N row 2 and in U row 1 with V row 1, so the
/// result does not depend on the sign convention of the mixing matrices.
pub fn structured_coefficients(pair: Pair) -> Vec<String> {
    let (a_u, a_d) = left_squark_couplings();
    match pair {
        Pair::C1c1 => ["1", "U11^2", "V11^2", "U11^4", "V11^4", "U11^2*V11^2"].map(str::to_string).to_vec(),
        Pair::N2n2 => {
            let z = "(N23^2-N24^2)";
            let squares = [format!("{a_u}^2"), format!("{a_d}^2"), "N21^2".to_string()];
            let mut products = vec![format!("{z}^2")];
            products.extend(squares.iter().map(|square| format!("{z}*{square}")));
            products.extend(squares.iter().map(|square| format!("{square}^2")));
            products
        }
        Pair::N2c1p | Pair::N2c1m => {
            let sign = "m_chi20/abs(m_chi20)";
            let couplings =
                ["(N22*V11-0.70710678*N24*V12)".to_string(), "(N22*U11+0.70710678*N23*U12)".to_string(), format!("({a_u}*V11)"), format!("({a_d}*U11)")];
            let [w_left, w_right, squark_u, squark_d] = &couplings;
            let mut products: Vec<String> = couplings.iter().map(|c| format!("{c}^2")).collect();
            products.push(format!("{w_left}*{squark_u}"));
            products.push(format!("{w_right}*{squark_d}"));
            for (a, b) in [(w_left, w_right), (w_left, squark_d), (w_right, squark_u), (squark_u, squark_d)] {
                products.push(format!("{sign}*{a}*{b}"));
            }
            products
        }
    }
}

/// Returns the way the structured LO network of a pair combines its outputs
/// with the coupling products of [`structured_coefficients`].
///
/// χ̃⁰₂χ̃⁰₂ and χ̃⁰₂χ̃±₁ use signed exponential terms. Each coefficient
/// function keeps one sign over the pMSSM box: a fit of the exact engine at
/// 25 random mass points per pair, with 40 random mixings each, found no
/// sign change. Their sizes span four decades, which a common scale
/// resolves badly. The χ̃⁺₁χ̃⁻₁ functions change sign with the masses (the
/// products are not squares of couplings), so that pair uses a common
/// exponential scale times a linear combination.
pub fn structured_form(pair: Pair) -> Structure {
    match pair {
        Pair::C1c1 => Structure::Linear { coefficients: structured_coefficients(pair).len() },
        Pair::N2n2 => Structure::SignedTerms { signs: vec![1.0, 1.0, -1.0, 1.0, 1.0, 1.0, 1.0] },
        Pair::N2c1p | Pair::N2c1m => Structure::SignedTerms { signs: vec![1.0, 1.0, 1.0, 1.0, -1.0, 1.0, 1.0, 1.0, -1.0, -1.0] },
    }
}

/// Returns the sum M of the final-state masses of a pair with signed terms,
/// as an expression in GeV.
fn final_state_mass_sum(pair: Pair) -> Option<&'static str> {
    match pair {
        Pair::C1c1 => None,
        Pair::N2n2 => Some("(2*abs(m_chi20))"),
        Pair::N2c1p | Pair::N2c1m => Some("(abs(m_chi20)+m_chi1pm)"),
    }
}

/// Returns the squark propagator factor of each signed term of `pair`, in
/// the order of [`structured_coefficients`]; `None` for χ̃⁺₁χ̃⁻₁.
///
/// A squark of mass m exchanged in the t or u channel enters an amplitude
/// roughly as 1/(1 + m²/M²), with M the sum of the final-state masses. A
/// term with one squark amplitude (interference with a gauge boson) falls
/// like that factor, a term with two like its square. A least-squares
/// fit of the exact engine's term values over pMSSM-box points gives powers
/// of −1.9 and −1.0 for χ̃⁰₂χ̃⁻₁. The factors take ũ_L for the up-type,
/// d̃_L for the down-type and ũ_R for the right squarks, the lightest
/// flavours and so the largest parton luminosities.
pub fn structured_squark_factors(pair: Pair) -> Option<Vec<String>> {
    let sum = final_state_mass_sum(pair)?;
    let propagator = |squark: &str| format!("(1+(m_{squark}/{sum})^2)");
    let (up, down, right) = (propagator("1000002"), propagator("1000001"), propagator("2000002"));
    let no_factor = || "1".to_string();
    let inverse = |factor: &str| format!("{factor}^(-1)");
    let inverse_square = |factor: &str| format!("{factor}^(-2)");
    Some(match pair {
        Pair::C1c1 => return None,
        Pair::N2n2 => vec![no_factor(), inverse(&up), inverse(&down), inverse(&right), inverse_square(&up), inverse_square(&down), inverse_square(&right)],
        Pair::N2c1p | Pair::N2c1m => vec![
            no_factor(),
            no_factor(),
            inverse_square(&up),
            inverse_square(&down),
            inverse(&up),
            inverse(&down),
            no_factor(),
            inverse(&down),
            inverse(&up),
            format!("{}*{}", inverse(&up), inverse(&down)),
        ],
    })
}

/// Fits the fall of σ_LO with the final-state masses over labelled
/// `records` of a pair with signed terms and returns it as an expression:
/// ln σ ≈ a + b ln(M/TeV) + c ln(1 − M/√s) + d ln(|m(χ̃⁰₂)|/m(χ̃±₁)) by least
/// squares, with M the mass sum and √s = 13 TeV (d only for χ̃⁰₂χ̃±₁).
/// The second term follows the parton luminosities' fall towards the
/// kinematic limit. Multiplied into the coupling products (with
/// [`structured_squark_factors`]), it leaves the network outputs a
/// function that varies over a few tenths in ln σ instead of about 18.
pub fn fit_mass_factor(pair: Pair, records: &[InputRecord], labels: &[f64]) -> Result<String, TrainError> {
    let sum = final_state_mass_sum(pair).ok_or_else(|| TrainError::Invalid(format!("{pair} has no signed terms; mass factors are for n2n2, n2c1p and n2c1m")))?;
    let sqrt_s = crate::output::NETWORK_SQRTS_GEV;
    let mut names = vec![format!("log({sum}/1000)"), format!("log(1-{sum}/{sqrt_s})")];
    if pair != Pair::N2n2 {
        names.push("log(abs(m_chi20)/m_chi1pm)".to_string());
    }
    let columns = FeatureSet::fit(names.clone(), &[])?.raw_values(records)?;

    // Normal equations of the fit with a constant column first.
    let size = names.len() + 1;
    let mut matrix = vec![vec![0.0; size]; size];
    let mut right = vec![0.0; size];
    let mut used = 0usize;
    for (row, label) in columns.iter().zip(labels) {
        if !(label.is_normal() && *label > 0.0) || row.iter().any(|value| !value.is_finite()) {
            continue;
        }
        let x: Vec<f64> = std::iter::once(1.0).chain(row.iter().copied()).collect();
        for i in 0..size {
            right[i] += x[i] * label.ln();
            for j in 0..size {
                matrix[i][j] += x[i] * x[j];
            }
        }
        used += 1;
    }
    let fit = if used > size { super::terms::solve(matrix, right) } else { None };
    let fit = fit.ok_or_else(|| TrainError::Invalid(format!("{pair}: {used} usable rows do not determine the mass factor")))?;

    let mut factor = format!("{:.6e}", fit[0].exp());
    let bases = [format!("({sum}/1000)"), format!("(1-{sum}/{sqrt_s})"), "(abs(m_chi20)/m_chi1pm)".to_string()];
    for (base, power) in bases.iter().zip(&fit[1..]) {
        factor.push_str(&format!("*{base}^({power:.6})"));
    }
    Ok(factor)
}

/// Compiled features with z-score constants.
#[derive(Debug, Clone)]
pub struct FeatureSet {
    pub names: Vec<String>,
    expressions: Vec<Expression>,
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
}

impl FeatureSet {
    /// Compiles the expressions and fits the z-score constants on `records`
    /// (which must already be in the sign convention of the set).
    pub fn fit(names: Vec<String>, records: &[InputRecord]) -> Result<Self, TrainError> {
        let columns = names.len();
        let mut set = FeatureSet::with_constants(names, vec![0.0; columns], vec![1.0; columns])?;
        let raw = set.raw_values(records)?;
        let count = records.len().max(1) as f64;
        for column in 0..set.names.len() {
            let mean = raw.iter().map(|row| row[column]).sum::<f64>() / count;
            let variance = raw.iter().map(|row| (row[column] - mean).powi(2)).sum::<f64>() / count;
            set.mean[column] = mean;
            // A constant feature keeps unit scale instead of dividing by 0.
            set.std[column] = if variance.sqrt() > 1e-12 { variance.sqrt() } else { 1.0 };
        }
        Ok(set)
    }

    /// Compiles the expressions with given z-score constants, one mean and
    /// one standard deviation per name (those of an existing set).
    pub fn with_constants(names: Vec<String>, mean: Vec<f64>, std: Vec<f64>) -> Result<Self, TrainError> {
        if mean.len() != names.len() || std.len() != names.len() {
            return Err(TrainError::Invalid(format!("{} features but {} means and {} standard deviations", names.len(), mean.len(), std.len())));
        }
        if let Some(bad) = std.iter().find(|value| !(value.is_finite() && **value > 0.0)) {
            return Err(TrainError::Invalid(format!("feature standard deviation {bad} is not finite and positive")));
        }
        let expressions =
            names.iter().map(|name| Expression::compile(name, &resolve_feature_variable)).collect::<Result<Vec<_>, _>>()?;
        Ok(FeatureSet { names, expressions, mean, std })
    }

    /// Computes the features of each record before z-scoring.
    pub fn raw_values(&self, records: &[InputRecord]) -> Result<Vec<Vec<f64>>, TrainError> {
        let mut rows = Vec::with_capacity(records.len());
        for (index, record) in records.iter().enumerate() {
            let variables = record_variables(record);
            let row: Vec<f64> = self.expressions.iter().map(|expression| expression.evaluate(&variables)).collect();
            if let Some(position) = row.iter().position(|value| !value.is_finite()) {
                return Err(TrainError::Invalid(format!(
                    "record {index}: feature '{}' is {} (a missing or invalid input)",
                    self.names[position], row[position]
                )));
            }
            rows.push(row);
        }
        Ok(rows)
    }

    /// z-scored features as f32, computed as the inference core computes them.
    pub fn matrix(&self, records: &[InputRecord]) -> Result<Array2<f32>, TrainError> {
        let raw = self.raw_values(records)?;
        let mut matrix = Array2::<f32>::zeros((records.len(), self.names.len()));
        for (row, values) in raw.iter().enumerate() {
            for (column, value) in values.iter().enumerate() {
                matrix[[row, column]] = ((value - self.mean[column]) / self.std[column]) as f32;
            }
        }
        Ok(matrix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predict::canonicalize_signs;
    use crate::record::Column;

    fn record() -> InputRecord {
        let mut values = [0.0; 19];
        values[..8].copy_from_slice(&[-0.3, 0.95, -0.5, 0.86, 0.1, -0.2, 0.7, -0.68]);
        values[8] = -420.0;
        values[9] = 415.0;
        for (index, value) in values.iter_mut().enumerate().skip(10) {
            *value = 1500.0 + 37.0 * index as f64;
        }
        InputRecord::from_values(values)
    }

    fn flipped(record: &InputRecord, columns: &[Column]) -> InputRecord {
        let mut flipped = *record;
        for &column in columns {
            flipped.set(column, record.get(column).map(|value| -value));
        }
        flipped
    }

    #[test]
    fn features_are_sign_invariant() {
        let base = record();
        let flips = [
            flipped(&base, &[Column::N21, Column::N22, Column::N23, Column::N24]),
            flipped(&base, &[Column::U11, Column::U12, Column::V11, Column::V12]),
        ];
        for pair in crate::pair::PAIRS {
            for stage in [StageKind::Lo, StageKind::K] {
                let names = feature_names(pair, stage, FeatureChoice::Basic);
                let set = FeatureSet::fit(names, &[canonicalize_signs(&base), canonicalize_signs(&record())]).expect("valid features");
                let reference = set.matrix(&[canonicalize_signs(&base)]).expect("finite");
                for other in &flips {
                    let matrix = set.matrix(&[canonicalize_signs(other)]).expect("finite");
                    assert_eq!(matrix, reference, "{pair} {stage:?}");
                    if matches!(pair, Pair::C1c1 | Pair::N2n2) {
                        // Bilinear features need no canonicalisation.
                        let raw = set.matrix(&[*other]).expect("finite");
                        assert_eq!(raw, set.matrix(&[base]).expect("finite"), "{pair} {stage:?} without canonical signs");
                    }
                }
            }
        }
    }

    #[test]
    fn physics_features_need_no_canonical_signs() {
        let base = record();
        let flips = [
            flipped(&base, &[Column::N21, Column::N22, Column::N23, Column::N24]),
            flipped(&base, &[Column::U11, Column::U12, Column::V11, Column::V12]),
        ];
        let mut other = record();
        other.set(Column::MChi20, Some(380.0));
        for pair in crate::pair::PAIRS {
            let set = FeatureSet::fit(feature_names(pair, StageKind::K, FeatureChoice::Physics), &[base, other]).expect("valid features");
            let reference = set.matrix(&[base]).expect("finite");
            for flipped in &flips {
                assert_eq!(set.matrix(&[*flipped]).expect("finite"), reference, "{pair}");
            }
            if pair.has_neutralino() {
                assert_ne!(set.matrix(&[other]).expect("finite"), reference, "{pair}: the features see the χ̃⁰₂ mass");
            }
        }
    }

    #[test]
    fn physics_features_hold_the_w_couplings() {
        // O^L and O^R of the χ̃⁰₂χ̃±₁ features against the engine's couplings.
        let record = record();
        let get = |column: Column| record.get(column).expect("complete record");
        let names = physics_feature_names(Pair::N2c1p);
        let set = FeatureSet::fit(names.clone(), &[record]).expect("valid features");
        let raw = set.raw_values(&[record]).expect("finite");
        let o_left = get(Column::N22) * get(Column::V11) - get(Column::N24) * get(Column::V12) / std::f64::consts::SQRT_2;
        let o_right = get(Column::N22) * get(Column::U11) + get(Column::N23) * get(Column::U12) / std::f64::consts::SQRT_2;
        // Order: O^L², log(O^L² + floor), O^L·O^R, sign(m_χ̃⁰₂)·O^L·O^R, …
        assert!((raw[0][0] - o_left * o_left).abs() < 1e-8, "{} = {}", names[0], raw[0][0]);
        assert!((raw[0][1] - (o_left * o_left + COUPLING_FLOOR).ln()).abs() < 1e-8, "{} = {}", names[1], raw[0][1]);
        assert!((raw[0][2] - o_left * o_right).abs() < 1e-8, "{} = {}", names[2], raw[0][2]);
        assert!((raw[0][3] + o_left * o_right).abs() < 1e-8, "{} = {} (negative χ̃⁰₂ mass)", names[3], raw[0][3]);
    }

    #[test]
    fn missing_input_is_an_error() {
        let mut incomplete = record();
        incomplete.set(Column::MGluino, None);
        let set = FeatureSet::fit(feature_names(Pair::C1c1, StageKind::Lo, FeatureChoice::Basic), &[record()]).expect("valid");
        assert!(set.matrix(&[incomplete]).is_ok(), "the LO features do not read the gluino mass");
        let error = FeatureSet::fit(feature_names(Pair::C1c1, StageKind::K, FeatureChoice::Basic), &[incomplete]).expect_err("gluino needed");
        assert!(error.to_string().contains("log(m_gluino)"), "{error}");
    }

    /// The fit recovers a power law it can represent exactly, and the
    /// expression it returns evaluates to it.
    #[test]
    fn mass_factor_fit_recovers_a_power_law() {
        let law = |n2: f64, c1: f64| {
            let sum = n2.abs() + c1;
            0.03 * (sum / 1000.0).powf(-3.5) * (1.0 - sum / 13000.0).powf(12.0) * (n2.abs() / c1).powf(0.5)
        };
        let records: Vec<InputRecord> = (0..40)
            .map(|i| {
                let mut copy = record();
                copy.set(Column::MChi20, Some(if i % 2 == 0 { 1.0 } else { -1.0 } * (150.0 + 90.0 * i as f64)));
                copy.set(Column::MChi1pm, Some(140.0 + 61.0 * ((i * 7) % 40) as f64));
                copy
            })
            .collect();
        let labels: Vec<f64> = records.iter().map(|r| law(r.get(Column::MChi20).unwrap(), r.get(Column::MChi1pm).unwrap())).collect();
        let expression = fit_mass_factor(Pair::N2c1m, &records, &labels).expect("fits");
        for power in ["^(-3.500000)", "^(12.000000)", "^(0.500000)"] {
            assert!(expression.contains(power), "{power} in {expression}");
        }
        let values = FeatureSet::fit(vec![expression], &[]).expect("compiles").raw_values(&records).expect("finite");
        for (value, label) in values.iter().zip(&labels) {
            assert!((value[0] / label - 1.0).abs() < 1e-5, "{} vs {label}", value[0]);
        }
        let error = fit_mass_factor(Pair::C1c1, &records, &labels).expect_err("c1c1 has no signed terms");
        assert!(error.to_string().contains("mass factors are for"), "{error}");
        let error = fit_mass_factor(Pair::N2c1m, &records[..3], &labels[..3]).expect_err("too few rows");
        assert!(error.to_string().contains("3 usable rows"), "{error}");
    }

    #[test]
    fn every_signed_term_has_a_squark_factor() {
        for pair in [Pair::N2n2, Pair::N2c1p, Pair::N2c1m] {
            let factors = structured_squark_factors(pair).expect("signed terms");
            assert_eq!(factors.len(), structured_coefficients(pair).len(), "{pair}");
            FeatureSet::fit(factors, &[]).expect("factors compile").raw_values(&[record()]).expect("factors evaluate");
        }
        assert_eq!(structured_squark_factors(Pair::C1c1), None);
    }
}
