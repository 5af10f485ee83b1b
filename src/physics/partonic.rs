//! Partonic leading-order cross sections q q̄′ → χ̃_a χ̃_b.
//!
//! For massless quarks every diagram (s-channel γ/Z/W, t- and u-channel
//! squark exchange) can be Fierz-ordered into the product of a vector quark
//! current of one chirality h and a final-state current. The spin-summed
//! squared amplitude then takes the form (Debove, Fuks and Klasen,
//! Nucl. Phys. B 842 (2011) 51, eq. (2.1), whose generalised charges we
//! rebuild below from the SLHA2 couplings)
//!
//!   Σ_h |Q^u_h|² (u − m_a²)(u − m_b²) + |Q^t_h|² (t − m_a²)(t − m_b²)
//!       + 2 Re(Q^u_h* Q^t_h) m_a m_b s,
//!
//! with dσ/dt = π α² / (3 s² sin⁴θ_W) · (normalisation) · that sum, where
//! t = (p_q − p_a)², u = (p_q − p_b)² and m_a, m_b are positive masses.
//! Each charge Q is a boson term plus one squark term:
//! Q^u_h = a_h/(s − m_V²) + γ_h/s + c^u_h/(u − M_u²) and likewise for Q^t_h.
//! Only left-handed squarks couple charginos to massless quarks, and the
//! higgsino–quark–squark Yukawa couplings vanish.

use num_complex::Complex64;

use super::couplings::{alpha_em, sin2_theta_w, GauginoMixing, Quark, W_MASS_GEV, Z_MASS_GEV};
use super::pairs::Pair;

/// Generalised charges of one quark chirality.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Chirality {
    /// Coefficient of 1/(s − m_V²) in Q^u.
    boson_u: Complex64,
    /// Coefficient of 1/(s − m_V²) in Q^t.
    boson_t: Complex64,
    /// Coefficient of 1/s in both Q^u and Q^t (photon, chargino pairs only).
    photon: f64,
    /// Squark term of Q^u: coefficient and squared squark mass in GeV².
    squark_u: Complex64,
    squark_u_mass2: f64,
    /// Squark term of Q^t: coefficient and squared squark mass in GeV².
    squark_t: Complex64,
    squark_t_mass2: f64,
}

impl Chirality {
    const ZERO: Chirality = Chirality {
        boson_u: Complex64::new(0.0, 0.0),
        boson_t: Complex64::new(0.0, 0.0),
        photon: 0.0,
        squark_u: Complex64::new(0.0, 0.0),
        squark_u_mass2: 1.0,
        squark_t: Complex64::new(0.0, 0.0),
        squark_t_mass2: 1.0,
    };
}

/// The partonic process for one pair and one incoming quark flavour, with
/// couplings and squark masses fixed.
#[derive(Debug, Clone, PartialEq)]
pub struct PartonicProcess {
    mass_a: f64,
    mass_b: f64,
    boson_mass2: f64,
    chiralities: [Chirality; 2],
    /// π α² / (3 sin⁴θ_W) times the pair normalisation (identical particles,
    /// cos θ_W factors of the coupling units).
    prefactor: f64,
}

impl PartonicProcess {
    /// Builds the process q q̄′ → pair for the quark `quark`. Neutral and
    /// chargino pairs use q q̄. Neutralino–chargino pairs use the up-type quark
    /// of the doublet (u d̄ or c s̄ for χ̃⁺), and the χ̃⁻ channel (d ū, s c̄) is
    /// its CP conjugate with the same partonic cross section.
    /// `squark_mass_gev` uses the order of [`crate::spectrum::SQUARK_PDG`].
    pub fn new(mixing: &GauginoMixing, pair: Pair, quark: Quark, squark_mass_gev: &[f64; 8]) -> Self {
        let sin2_w = sin2_theta_w();
        let cos2_w = 1.0 - sin2_w;
        let alpha = alpha_em();
        let base = std::f64::consts::PI * alpha * alpha / (3.0 * sin2_w * sin2_w);
        let squark_mass2 = |index: usize| squark_mass_gev[index] * squark_mass_gev[index];
        let (left_squark, right_squark) = quark.squark_indices();
        let e_q = quark.charge();
        let t3 = quark.isospin();

        match pair {
            Pair::NeutralinoNeutralino(i, j) => {
                // Couplings in units of g/cos θ_W (Z) and √2 g/cos θ_W (squarks),
                // hence the 1/cos⁴θ_W; ½ for identical Majorana fermions.
                let z_left = mixing.z_neutralino_left(i, j);
                let z_right = mixing.z_neutralino_right(i, j);
                let left_i = mixing.neutralino_left(quark, i);
                let left_j = mixing.neutralino_left(quark, j);
                let right_i = mixing.neutralino_right(quark, i);
                let right_j = mixing.neutralino_right(quark, j);
                let z_quark_left = t3 - e_q * sin2_w;
                let z_quark_right = -e_q * sin2_w;
                let left = Chirality {
                    boson_u: z_quark_left * z_left,
                    boson_t: z_quark_left * z_right,
                    photon: 0.0,
                    squark_u: left_j.conj() * left_i,
                    squark_u_mass2: squark_mass2(left_squark),
                    squark_t: -(left_i.conj() * left_j),
                    squark_t_mass2: squark_mass2(left_squark),
                };
                let right = Chirality {
                    boson_u: z_quark_right * z_right,
                    boson_t: z_quark_right * z_left,
                    photon: 0.0,
                    squark_u: right_j.conj() * right_i,
                    squark_u_mass2: squark_mass2(right_squark),
                    squark_t: -(right_i.conj() * right_j),
                    squark_t_mass2: squark_mass2(right_squark),
                };
                let identical = if i == j { 0.5 } else { 1.0 };
                Self {
                    mass_a: mixing.neutralino_mass_gev[i],
                    mass_b: mixing.neutralino_mass_gev[j],
                    boson_mass2: Z_MASS_GEV * Z_MASS_GEV,
                    chiralities: [left, right],
                    prefactor: base * identical / (cos2_w * cos2_w),
                }
            }
            Pair::NeutralinoChargino {
                neutralino: i,
                chargino: k,
                ..
            } => {
                // Particle a is the chargino, b the neutralino; t-channel d̃_L
                // (the down-type squark of the doublet), u-channel ũ_L.
                let up = if quark.is_up_type() { quark } else { quark.partner() };
                let down = up.partner();
                let (up_left_squark, _) = up.squark_indices();
                let (down_left_squark, _) = down.squark_indices();
                let cos_w = cos2_w.sqrt();
                let left = Chirality {
                    boson_u: cos_w * mixing.w_left(i, k).conj(),
                    boson_t: cos_w * mixing.w_right(i, k).conj(),
                    photon: 0.0,
                    squark_u: mixing.neutralino_left(up, i).conj() * mixing.v[k][0],
                    squark_u_mass2: squark_mass2(up_left_squark),
                    squark_t: -(mixing.u[k][0] * mixing.neutralino_left(down, i)),
                    squark_t_mass2: squark_mass2(down_left_squark),
                };
                Self {
                    mass_a: mixing.chargino_mass_gev[k],
                    mass_b: mixing.neutralino_mass_gev[i],
                    boson_mass2: W_MASS_GEV * W_MASS_GEV,
                    chiralities: [left, Chirality::ZERO],
                    prefactor: base / (2.0 * cos2_w),
                }
            }
            Pair::CharginoPair(k, l) => {
                // Particle a is the χ̃⁻ of index k, b the χ̃⁺ of index l
                // (the cross section is symmetric under k ↔ l). Up-type quarks
                // exchange the down-type left squark of their generation in
                // the u channel, down-type quarks the up-type one in the t channel.
                let z_left = mixing.z_chargino_left(k, l);
                let z_right = mixing.z_chargino_right(k, l);
                let photon = if k == l { e_q * sin2_w } else { 0.0 };
                let z_quark_left = (t3 - e_q * sin2_w) / cos2_w;
                let z_quark_right = -e_q * sin2_w / cos2_w;
                let (partner_left_squark, _) = quark.partner().squark_indices();
                let mut left = Chirality {
                    boson_u: Complex64::from(-z_quark_left * z_right),
                    boson_t: Complex64::from(-z_quark_left * z_left),
                    photon,
                    ..Chirality::ZERO
                };
                if quark.is_up_type() {
                    left.squark_u = Complex64::from(0.5 * mixing.u[k][0] * mixing.u[l][0]);
                    left.squark_u_mass2 = squark_mass2(partner_left_squark);
                } else {
                    left.squark_t = Complex64::from(-0.5 * mixing.v[k][0] * mixing.v[l][0]);
                    left.squark_t_mass2 = squark_mass2(partner_left_squark);
                }
                let right = Chirality {
                    boson_u: Complex64::from(-z_quark_right * z_left),
                    boson_t: Complex64::from(-z_quark_right * z_right),
                    photon,
                    ..Chirality::ZERO
                };
                Self {
                    mass_a: mixing.chargino_mass_gev[k],
                    mass_b: mixing.chargino_mass_gev[l],
                    boson_mass2: Z_MASS_GEV * Z_MASS_GEV,
                    chiralities: [left, right],
                    prefactor: base,
                }
            }
        }
    }

    /// Production threshold (m_a + m_b)² in GeV².
    pub fn threshold_gev2(&self) -> f64 {
        (self.mass_a + self.mass_b).powi(2)
    }

    /// Kinematic limits (t_min, t_max) in GeV² at partonic energy² `s`.
    fn t_range(&self, s: f64) -> (f64, f64) {
        let (ma2, mb2) = (self.mass_a * self.mass_a, self.mass_b * self.mass_b);
        let lambda = kallen(s, ma2, mb2).max(0.0).sqrt();
        // t = m_a² − 2 p_q·p_a = (m_a² + m_b² − s ± λ^{1/2})/2.
        let centre = 0.5 * (ma2 + mb2 - s);
        (centre - 0.5 * lambda, centre + 0.5 * lambda)
    }

    /// dσ/dt in GeV⁻⁴ at partonic energy² `s` and momentum transfer `t` (GeV²),
    /// for one quark colour- and spin-averaged initial state.
    pub fn dsigma_dt(&self, s: f64, t: f64) -> f64 {
        let (ma2, mb2) = (self.mass_a * self.mass_a, self.mass_b * self.mass_b);
        let u = ma2 + mb2 - s - t;
        let boson = 1.0 / (s - self.boson_mass2);
        let mut sum = 0.0;
        for c in &self.chiralities {
            let common = c.photon / s;
            let q_u = c.boson_u * boson + common + c.squark_u / (u - c.squark_u_mass2);
            let q_t = c.boson_t * boson + common + c.squark_t / (t - c.squark_t_mass2);
            sum += q_u.norm_sqr() * (u - ma2) * (u - mb2)
                + q_t.norm_sqr() * (t - ma2) * (t - mb2)
                + 2.0 * (q_u.conj() * q_t).re * self.mass_a * self.mass_b * s;
        }
        self.prefactor * sum / (s * s)
    }

    /// Total partonic cross section σ̂ in GeV⁻² at partonic energy² `s`,
    /// integrated over t in closed form; zero below threshold.
    pub fn sigma_gev2(&self, s: f64) -> f64 {
        if s <= self.threshold_gev2() {
            return 0.0;
        }
        let (ma2, mb2) = (self.mass_a * self.mass_a, self.mass_b * self.mass_b);
        let (t1, t2) = self.t_range(s);
        let k0 = ma2 + mb2 - s;
        let (u1, u2) = (k0 - t2, k0 - t1);
        let boson = 1.0 / (s - self.boson_mass2);
        let width = t2 - t1;
        let mut sum = 0.0;
        for c in &self.chiralities {
            let common = Complex64::from(c.photon / s);
            let a = c.boson_u * boson + common;
            let b = c.boson_t * boson + common;
            let has_u = c.squark_u.norm_sqr() > 0.0;
            let has_t = c.squark_t.norm_sqr() > 0.0;
            if a.norm_sqr() == 0.0 && b.norm_sqr() == 0.0 && !has_u && !has_t {
                continue;
            }
            let mu2 = c.squark_u_mass2;
            let mt2 = c.squark_t_mass2;
            let log_u = if has_u { log_ratio(u1, u2, mu2) } else { 0.0 };
            let log_t = if has_t { log_ratio(t1, t2, mt2) } else { 0.0 };
            sum += squared_charge_integral(a, c.squark_u, mu2, (u1, u2), log_u, ma2, mb2);
            sum += squared_charge_integral(b, c.squark_t, mt2, (t1, t2), log_t, ma2, mb2);

            // Interference term 2 Re(Q^u* Q^t) m_a m_b s, integrated over t.
            let mut cross = a.conj() * b * width + a.conj() * c.squark_t * log_t + c.squark_u.conj() * b * log_u;
            if has_u && has_t {
                // u − M_u² = K − t with K = k0 − M_u²; partial fractions give
                // ∫ dt / ((K − t)(t − M_t²)) = (log_t + log_u) / (K − M_t²).
                let k = k0 - mu2;
                cross += c.squark_u.conj() * c.squark_t * ((log_t + log_u) / (k - mt2));
            }
            sum += 2.0 * cross.re * self.mass_a * self.mass_b * s;
        }
        self.prefactor * sum / (s * s)
    }
}

/// ∫_{x1}^{x2} |A + c/(x − M)|² (x − m_a²)(x − m_b²) dx for x − M < 0 on the
/// range, given `log` = ∫ dx/(x − M) over the range.
fn squared_charge_integral(
    a: Complex64,
    c: Complex64,
    m: f64,
    (x1, x2): (f64, f64),
    log: f64,
    ma2: f64,
    mb2: f64,
) -> f64 {
    let sum_m = ma2 + mb2;
    let product = ma2 * mb2;
    let width = x2 - x1;
    let poly = |x: f64| x * x * x / 3.0 - sum_m * x * x / 2.0 + product * x;
    let mut result = a.norm_sqr() * (poly(x2) - poly(x1));
    if c.norm_sqr() == 0.0 {
        return result;
    }
    // P(x)/(x − M) = x + M − Σ + P(M)/(x − M), with Σ = m_a² + m_b².
    let p_m = (m - ma2) * (m - mb2);
    let linear = 0.5 * (x2 * x2 - x1 * x1) + (m - sum_m) * width + p_m * log;
    // P(x)/(x − M)² = 1 + (2M − Σ)/(x − M) + P(M)/(x − M)².
    let inverse_difference = width / ((x1 - m) * (x2 - m));
    let quadratic = width + (2.0 * m - sum_m) * log + p_m * inverse_difference;
    result += 2.0 * (a.conj() * c).re * linear + c.norm_sqr() * quadratic;
    result
}

/// ∫_{x1}^{x2} dx / (x − M) = ln((x2 − M)/(x1 − M)), computed without
/// cancellation when the range is short.
fn log_ratio(x1: f64, x2: f64, m: f64) -> f64 {
    ((x2 - x1) / (x1 - m)).ln_1p()
}

/// Källén function λ(a, b, c).
fn kallen(a: f64, b: f64, c: f64) -> f64 {
    a * a + b * b + c * c - 2.0 * (a * b + a * c + b * c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::physics::quadrature::GaussLegendre;
    use crate::spectrum::Spectrum;

    /// A mixed spectrum with one negative neutralino mass, so that every
    /// coupling and the factor i are exercised.
    fn mixed_spectrum() -> Spectrum {
        Spectrum {
            neutralino_mass_gev: [412.0, -419.5, 1650.0, 2900.0],
            nmix: [
                [-0.0200, 0.0600, -0.7060, 0.7050],
                [-0.0080, 0.0200, 0.7070, 0.7070],
                [-0.0020, -0.9980, -0.0300, 0.0500],
                [-0.9997, 0.0010, 0.0080, -0.0200],
            ],
            chargino_mass_gev: [415.0, 1650.0],
            umix: [[-0.0450, 0.9990], [-0.9990, -0.0450]],
            vmix: [[-0.0800, 0.9968], [-0.9968, -0.0800]],
            squark_mass_gev: [900.0, 1100.0, 1200.0, 950.0, 1000.0, 1300.0, 1400.0, 1500.0],
            gluino_mass_gev: 2000.0,
        }
    }

    #[test]
    fn closed_form_matches_quadrature() {
        let spectrum = mixed_spectrum();
        let mixing = GauginoMixing::new(&spectrum);
        let rule = GaussLegendre::new(400);
        for pair in Pair::all() {
            for quark in [Quark::Up, Quark::Down, Quark::Strange, Quark::Charm] {
                let process = PartonicProcess::new(&mixing, pair, quark, &spectrum.squark_mass_gev);
                for factor in [1.001, 1.3, 4.0, 30.0] {
                    let s = process.threshold_gev2() * factor;
                    let (t1, t2) = process.t_range(s);
                    let numeric = rule.integrate(t1, t2, |t| process.dsigma_dt(s, t));
                    let closed = process.sigma_gev2(s);
                    assert!(
                        (closed / numeric - 1.0).abs() < 1e-7,
                        "{pair} {quark:?} s = {s}: {closed} vs {numeric}"
                    );
                }
            }
        }
    }

    #[test]
    fn t_range_is_physical() {
        // For massless partons t_min t_max = m_a² m_b² and both limits are negative.
        let spectrum = mixed_spectrum();
        let mixing = GauginoMixing::new(&spectrum);
        let pair = Pair::NeutralinoChargino {
            neutralino: 0,
            chargino: 1,
            positive: true,
        };
        let process = PartonicProcess::new(&mixing, pair, Quark::Up, &spectrum.squark_mass_gev);
        let (ma2, mb2) = (spectrum.chargino_mass_gev[1].powi(2), spectrum.neutralino_mass_gev[0].powi(2));
        for factor in [1.0001, 2.0, 50.0] {
            let s = process.threshold_gev2() * factor;
            let (t_min, t_max) = process.t_range(s);
            assert!(t_min < t_max && t_max < 0.0, "{t_min} {t_max}");
            assert!((t_min * t_max / (ma2 * mb2) - 1.0).abs() < 1e-6);
        }
    }

    #[test]
    fn zero_below_threshold() {
        let spectrum = mixed_spectrum();
        let mixing = GauginoMixing::new(&spectrum);
        let process = PartonicProcess::new(&mixing, Pair::CharginoPair(0, 0), Quark::Up, &spectrum.squark_mass_gev);
        assert_eq!(process.sigma_gev2(0.99 * process.threshold_gev2()), 0.0);
    }
}
