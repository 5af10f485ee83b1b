//! Hadronic leading-order cross sections σ_LO(pp → χ̃_a χ̃_b).
//!
//! σ = Σ_channels ∫ dτ σ̂(τ S) L(τ), with the parton luminosity
//! L(τ) = ∫ dy [f_q(x₁) f_q̄′(x₂) + f_q̄′(x₁) f_q(x₂)], x₁,₂ = √τ e^{±y}.
//! Both integrals use fixed Gauss–Legendre rules. In τ the variable is
//! w ∈ [0, 1] with ln(τ/τ₀) = w² ln(1/τ₀), which follows the steep fall of
//! the parton densities and turns the β ∝ √(τ − τ₀) threshold behaviour into a
//! smooth function of w.
//!
//! Channels are q q̄′ with q ∈ {u, d, s, c} in both orientations; b quarks
//! and CKM mixing are left out, as in the reference calculation (Prospino 2.1).

use thiserror::Error;

use super::couplings::{GauginoMixing, Quark, GEV2_TO_PB};
use super::lhapdf::{Parton, PdfSet, PdfSlice};
use super::pairs::Pair;
use super::partonic::PartonicProcess;
use super::quadrature::GaussLegendre;
use crate::spectrum::Spectrum;

/// The factorisation scale is (|m_a| + |m_b|)/2, but the parton densities
/// are evaluated at no more than this scale in GeV. The reference calculation
/// (Prospino 2.1 as run for the DeepXS labels) does so: without the cap, pairs
/// with a mean mass of 3.5–4 TeV come out 25 % below its values.
pub const MAX_PDF_SCALE_GEV: f64 = 1500.0;

/// Gauss–Legendre points in w (τ direction) and in rapidity. With these, no
/// pair of the reference spectra moves by more than 5e-5 relative against
/// 128 × 128 points, and a test checks 1e-4 against 96 × 96. Convergence
/// is slow because the interpolated densities are only C¹ at the grid knots.
const TAU_POINTS: usize = 24;

/// Normalisation of the reference calculation's degenerate-mass LO.
/// Prospino 2.1's `LO` is 0.080 % below its own `LO_ms` divided by the
/// squark-mass effect we compute. This is the median over the 787 reference
/// rows with a Monte Carlo error below 0.1 %, and the rows scatter by 0.024 %.
/// The offset is the same for χ̃⁰χ̃⁰, χ̃⁰χ̃± and χ̃⁺χ̃⁻, for pairs without any
/// squark exchange, and from 10⁻¹⁵ to 5 pb, so it is not physics.
/// `lo_degenerate_pb` only serves as the denominator of the reference K
/// factor, so it carries this factor and `lo_pb` does not.
/// NOTE: the cause inside the reference code is not identified.
pub const REFERENCE_DEGENERATE_NORMALISATION: f64 = 0.99920;
const RAPIDITY_POINTS: usize = 32;

/// Invalid input to the leading-order engine.
#[derive(Debug, Error, PartialEq)]
pub enum LoError {
    #[error("collider energy √s = {0} GeV is not a positive finite number")]
    InvalidEnergy(f64),
    #[error("{name} = {value} GeV is not a finite number")]
    NonFiniteMass { name: String, value: f64 },
    #[error("squark mass {name} = {value} GeV must be positive")]
    NonPositiveSquarkMass { name: String, value: f64 },
    #[error("mixing matrix {name} contains a non-finite entry")]
    NonFiniteMixing { name: String },
    #[error("pair {pair} has a final-state particle of zero mass; both masses must be nonzero")]
    ZeroMass { pair: String },
}

/// Leading-order cross sections of one pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoCrossSection {
    pub pair: Pair,
    /// σ_LO in pb with every squark at its own mass (Prospino's `LO_ms`).
    pub lo_pb: f64,
    /// σ_LO in pb with all eight first- and second-generation squarks at
    /// one common mass, [`degenerate_squark_mass_gev`] (Prospino's `LO`, the
    /// denominator of its K factor), including
    /// [`REFERENCE_DEGENERATE_NORMALISATION`].
    pub lo_degenerate_pb: f64,
}

/// The leading-order engine: a parton-density set, the collider energy and
/// the quadrature rules. Build once, evaluate many spectra.
#[derive(Debug, Clone)]
pub struct LoEngine<'a> {
    pdf: &'a PdfSet,
    sqrt_s_gev: f64,
    tau_rule: GaussLegendre,
    rapidity_rule: GaussLegendre,
}

/// Incoming parton combinations of one pair: (quark flavour for the
/// partonic process, parton from one proton, parton from the other).
fn channels(pair: Pair) -> Vec<(Quark, Parton, Parton)> {
    match pair {
        Pair::NeutralinoNeutralino(..) | Pair::CharginoPair(..) => vec![
            (Quark::Up, Parton::Up, Parton::AntiUp),
            (Quark::Down, Parton::Down, Parton::AntiDown),
            (Quark::Strange, Parton::Strange, Parton::AntiStrange),
            (Quark::Charm, Parton::Charm, Parton::AntiCharm),
        ],
        Pair::NeutralinoChargino { positive: true, .. } => vec![
            (Quark::Up, Parton::Up, Parton::AntiDown),
            (Quark::Charm, Parton::Charm, Parton::AntiStrange),
        ],
        Pair::NeutralinoChargino { positive: false, .. } => vec![
            (Quark::Up, Parton::Down, Parton::AntiUp),
            (Quark::Charm, Parton::Strange, Parton::AntiCharm),
        ],
    }
}

impl<'a> LoEngine<'a> {
    /// Creates an engine for proton–proton collisions at `sqrt_s_gev`.
    pub fn new(pdf: &'a PdfSet, sqrt_s_gev: f64) -> Result<Self, LoError> {
        if !(sqrt_s_gev.is_finite() && sqrt_s_gev > 0.0) {
            return Err(LoError::InvalidEnergy(sqrt_s_gev));
        }
        Ok(Self {
            pdf,
            sqrt_s_gev,
            tau_rule: GaussLegendre::new(TAU_POINTS),
            rapidity_rule: GaussLegendre::new(RAPIDITY_POINTS),
        })
    }

    /// Replaces the quadrature rules (for convergence checks).
    pub fn with_points(mut self, tau_points: usize, rapidity_points: usize) -> Self {
        self.tau_rule = GaussLegendre::new(tau_points);
        self.rapidity_rule = GaussLegendre::new(rapidity_points);
        self
    }

    /// Computes σ_LO of one pair.
    pub fn cross_section(&self, spectrum: &Spectrum, pair: Pair) -> Result<LoCrossSection, LoError> {
        validate(spectrum)?;
        let mixing = GauginoMixing::new(spectrum);
        self.compute(&mixing, spectrum, pair)
    }

    /// Computes σ_LO of several pairs of one spectrum.
    pub fn cross_sections(&self, spectrum: &Spectrum, pairs: &[Pair]) -> Result<Vec<LoCrossSection>, LoError> {
        validate(spectrum)?;
        let mixing = GauginoMixing::new(spectrum);
        pairs.iter().map(|&pair| self.compute(&mixing, spectrum, pair)).collect()
    }

    /// Computes σ_LO of several pairs for each spectrum of a batch; a spectrum
    /// with invalid input gets its own error.
    pub fn batch(&self, spectra: &[Spectrum], pairs: &[Pair]) -> Vec<Result<Vec<LoCrossSection>, LoError>> {
        spectra.iter().map(|spectrum| self.cross_sections(spectrum, pairs)).collect()
    }

    fn compute(&self, mixing: &GauginoMixing, spectrum: &Spectrum, pair: Pair) -> Result<LoCrossSection, LoError> {
        let (mass_a, mass_b) = pair_masses(mixing, pair);
        if mass_a == 0.0 || mass_b == 0.0 {
            return Err(LoError::ZeroMass { pair: pair.to_string() });
        }
        let s_hadronic = self.sqrt_s_gev * self.sqrt_s_gev;
        let tau0 = (mass_a + mass_b).powi(2) / s_hadronic;
        if tau0 >= 1.0 {
            return Ok(LoCrossSection {
                pair,
                lo_pb: 0.0,
                lo_degenerate_pb: 0.0,
            });
        }
        let scale = (0.5 * (mass_a + mass_b)).min(MAX_PDF_SCALE_GEV);
        let slice = self.pdf.slice_above(scale, tau0);
        let average = [degenerate_squark_mass_gev(spectrum, mass_a, mass_b); 8];
        let channels = channels(pair);
        // Channels often share a partonic process (the degenerate mass makes
        // d and s, u and c identical, and so do equal first- and
        // second-generation masses), so each distinct process is evaluated once
        // per τ node. Entry k of `terms` is (process index, luminosity slot,
        // true for the individual-mass sum).
        let mut processes: Vec<PartonicProcess> = Vec::with_capacity(8);
        let mut terms: Vec<(usize, usize, bool)> = Vec::with_capacity(8);
        for (slot, &(quark, _, _)) in channels.iter().enumerate() {
            for (masses, is_individual) in [(&spectrum.squark_mass_gev, true), (&average, false)] {
                let process = PartonicProcess::new(mixing, pair, quark, masses);
                let index = match processes.iter().position(|known| *known == process) {
                    Some(index) => index,
                    None => {
                        processes.push(process);
                        processes.len() - 1
                    }
                };
                terms.push((index, slot, is_individual));
            }
        }

        let ln_inverse_tau0 = -tau0.ln();
        let mut individual = 0.0;
        let mut degenerate = 0.0;
        let mut sigmas = vec![0.0; processes.len()];
        // Map the rule from [−1, 1] to w ∈ [0, 1].
        for (node, weight) in self.tau_rule.nodes.iter().zip(&self.tau_rule.weights) {
            let w = 0.5 * (node + 1.0);
            let z = w * w * ln_inverse_tau0;
            let tau = tau0 * z.exp();
            // dτ = τ dz = τ · 2 w ln(1/τ₀) dw, and dw = dnode / 2.
            let jacobian = 0.5 * weight * tau * 2.0 * w * ln_inverse_tau0;
            let s = tau * s_hadronic;
            let luminosities = self.luminosities(&slice, tau, &channels);
            for (sigma, process) in sigmas.iter_mut().zip(&processes) {
                *sigma = process.sigma_gev2(s);
            }
            for &(index, slot, is_individual) in &terms {
                let contribution = jacobian * luminosities[slot] * sigmas[index];
                if is_individual {
                    individual += contribution;
                } else {
                    degenerate += contribution;
                }
            }
        }
        Ok(LoCrossSection {
            pair,
            lo_pb: individual * GEV2_TO_PB,
            lo_degenerate_pb: degenerate * GEV2_TO_PB * REFERENCE_DEGENERATE_NORMALISATION,
        })
    }

    /// Parton luminosities L(τ) of each channel, summed over both
    /// orientations of the incoming partons.
    fn luminosities(&self, slice: &PdfSlice, tau: f64, channels: &[(Quark, Parton, Parton)]) -> [f64; 4] {
        let y_max = -0.5 * tau.ln();
        let sqrt_tau = tau.sqrt();
        // The rule is symmetric, node i = −node (n−1−i), so x₂ at node i is
        // x₁ at node n−1−i and one set of parton densities serves both protons.
        let densities: Vec<[f64; 8]> = self
            .rapidity_rule
            .nodes
            .iter()
            .map(|node| slice.xf_all(sqrt_tau * (node * y_max).exp()))
            .collect();
        let n = densities.len();
        let mut sums = [0.0; 4];
        for (i, weight) in self.rapidity_rule.weights.iter().enumerate() {
            let (f1, f2) = (&densities[i], &densities[n - 1 - i]);
            for (sum, &(_, first, second)) in sums.iter_mut().zip(channels) {
                *sum += weight * f1[first as usize] * f2[second as usize];
            }
        }
        // Integrating one orientation over the symmetric range [−y_max, y_max]
        // equals half the sum of both, hence the factor 2. With f(x) = xf(x)/x
        // and x₁x₂ = τ, each term carries 1/τ; dy = y_max dnode.
        let factor = 2.0 * y_max / tau;
        for sum in &mut sums {
            *sum *= factor;
        }
        sums
    }
}

/// Returns the common squark mass in GeV of the degenerate cross section.
/// It is the mean of the eight first- and second-generation squark masses
/// with the two adjustments that Prospino 2 makes in its subroutine
/// `DECOUPLE_SPECTRUM`, whose degenerate LO defines the reference K factor.
/// A mean within 1 GeV of the gluino mass is raised by 1 GeV, and a mean more
/// than 11 times the lighter final-state mass is replaced by 11 times that mass.
pub fn degenerate_squark_mass_gev(spectrum: &Spectrum, mass_a_gev: f64, mass_b_gev: f64) -> f64 {
    let mut mass = spectrum.mean_squark_mass_gev();
    if (mass - spectrum.gluino_mass_gev.abs()).abs() < 1.0 {
        mass += 1.0;
    }
    let lighter = mass_a_gev.abs().min(mass_b_gev.abs());
    if (mass - lighter) / lighter > 10.0 {
        mass = 11.0 * lighter;
    }
    mass
}

/// Positive masses in GeV of the two final-state particles.
fn pair_masses(mixing: &GauginoMixing, pair: Pair) -> (f64, f64) {
    match pair {
        Pair::NeutralinoNeutralino(i, j) => (mixing.neutralino_mass_gev[i], mixing.neutralino_mass_gev[j]),
        Pair::NeutralinoChargino {
            neutralino, chargino, ..
        } => (mixing.neutralino_mass_gev[neutralino], mixing.chargino_mass_gev[chargino]),
        Pair::CharginoPair(k, l) => (mixing.chargino_mass_gev[k], mixing.chargino_mass_gev[l]),
    }
}

fn validate(spectrum: &Spectrum) -> Result<(), LoError> {
    let non_finite = |name: String, value: f64| LoError::NonFiniteMass { name, value };
    for (i, mass) in spectrum.neutralino_mass_gev.iter().enumerate() {
        if !mass.is_finite() {
            return Err(non_finite(format!("neutralino {} mass", i + 1), *mass));
        }
    }
    for (k, mass) in spectrum.chargino_mass_gev.iter().enumerate() {
        if !mass.is_finite() {
            return Err(non_finite(format!("chargino {} mass", k + 1), *mass));
        }
    }
    for (pdg, mass) in crate::spectrum::SQUARK_PDG.iter().zip(&spectrum.squark_mass_gev) {
        if !mass.is_finite() {
            return Err(non_finite(format!("squark {pdg} mass"), *mass));
        }
        if *mass <= 0.0 {
            return Err(LoError::NonPositiveSquarkMass {
                name: pdg.to_string(),
                value: *mass,
            });
        }
    }
    let matrices: [(&str, Vec<f64>); 3] = [
        ("NMIX", spectrum.nmix.iter().flatten().copied().collect()),
        ("UMIX", spectrum.umix.iter().flatten().copied().collect()),
        ("VMIX", spectrum.vmix.iter().flatten().copied().collect()),
    ];
    for (name, values) in matrices {
        if values.iter().any(|v| !v.is_finite()) {
            return Err(LoError::NonFiniteMixing { name: name.to_string() });
        }
    }
    Ok(())
}
