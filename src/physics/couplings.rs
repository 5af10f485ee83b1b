//! Electroweak input values and the gaugino couplings built from a spectrum.
//!
//! Input values and scheme are those of Prospino 2.1 (Beenakker, Höpker,
//! Spira, Zerwas et al.), which produced the DeepXS training labels: on-shell
//! scheme with G_F, m_Z and m_W as inputs. Mixing-matrix conventions are
//! SLHA2 (Skands et al., Comput. Phys. Commun. 180 (2009) 8) with real N, U, V.
//! A neutralino with a negative mass eigenvalue is treated with its positive
//! mass and a factor i in its row of N.

use num_complex::Complex64;

use crate::spectrum::Spectrum;

/// Fermi constant in GeV⁻², the value used by Prospino 2.1.
pub const FERMI_CONSTANT_GEV2: f64 = 1.1663e-5;
/// Z-boson mass in GeV, the value used by Prospino 2.1.
pub const Z_MASS_GEV: f64 = 91.187;
/// W-boson mass in GeV, the value used by Prospino 2.1.
pub const W_MASS_GEV: f64 = 80.41;
/// Conversion factor from GeV⁻² to pb, the value used by Prospino 2.1
/// ((ħc)² = 0.38937966 GeV² mb).
pub const GEV2_TO_PB: f64 = 3.8937966e8;

/// sin²θ_W in the on-shell scheme, 1 − m_W²/m_Z².
pub fn sin2_theta_w() -> f64 {
    1.0 - (W_MASS_GEV / Z_MASS_GEV).powi(2)
}

/// Fine-structure constant derived from G_F in the on-shell scheme,
/// α = √2 G_F m_W² sin²θ_W / π.
pub fn alpha_em() -> f64 {
    std::f64::consts::SQRT_2 * FERMI_CONSTANT_GEV2 * W_MASS_GEV.powi(2) * sin2_theta_w()
        / std::f64::consts::PI
}

/// A light quark flavour entering the electroweakino channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quark {
    Down,
    Up,
    Strange,
    Charm,
}

impl Quark {
    /// Electric charge in units of the positron charge.
    pub fn charge(self) -> f64 {
        match self {
            Quark::Up | Quark::Charm => 2.0 / 3.0,
            Quark::Down | Quark::Strange => -1.0 / 3.0,
        }
    }

    /// Third component of weak isospin of the left-handed quark.
    pub fn isospin(self) -> f64 {
        match self {
            Quark::Up | Quark::Charm => 0.5,
            Quark::Down | Quark::Strange => -0.5,
        }
    }

    /// Whether the quark is up-type (u, c).
    pub fn is_up_type(self) -> bool {
        matches!(self, Quark::Up | Quark::Charm)
    }

    /// The SU(2) partner of the same generation (u ↔ d, c ↔ s).
    pub fn partner(self) -> Quark {
        match self {
            Quark::Down => Quark::Up,
            Quark::Up => Quark::Down,
            Quark::Strange => Quark::Charm,
            Quark::Charm => Quark::Strange,
        }
    }

    /// Indices of the left- and right-handed squark of this flavour in
    /// [`Spectrum::squark_mass_gev`] (order d̃_L, d̃_R, ũ_R, ũ_L, s̃_L, s̃_R, c̃_L, c̃_R).
    pub fn squark_indices(self) -> (usize, usize) {
        match self {
            Quark::Down => (0, 1),
            Quark::Up => (3, 2),
            Quark::Strange => (4, 5),
            Quark::Charm => (6, 7),
        }
    }
}

/// Mixing matrices in the positive-mass convention and the electroweak angle,
/// ready for the coupling formulas.
#[derive(Debug, Clone)]
pub struct GauginoMixing {
    /// N with row i multiplied by i where the neutralino mass is negative.
    pub n: [[Complex64; 4]; 4],
    /// |m_χ̃⁰_i| in GeV.
    pub neutralino_mass_gev: [f64; 4],
    pub u: [[f64; 2]; 2],
    pub v: [[f64; 2]; 2],
    /// m_χ̃±_k in GeV (positive).
    pub chargino_mass_gev: [f64; 2],
    pub sin_w: f64,
    pub cos_w: f64,
}

impl GauginoMixing {
    /// Converts a spectrum to the positive-mass convention.
    pub fn new(spectrum: &Spectrum) -> Self {
        let mut n = [[Complex64::new(0.0, 0.0); 4]; 4];
        for (i, row) in spectrum.nmix.iter().enumerate() {
            let phase = if spectrum.neutralino_mass_gev[i] < 0.0 {
                Complex64::new(0.0, 1.0)
            } else {
                Complex64::new(1.0, 0.0)
            };
            for (j, value) in row.iter().enumerate() {
                n[i][j] = phase * *value;
            }
        }
        let sin2_w = sin2_theta_w();
        Self {
            n,
            neutralino_mass_gev: spectrum.neutralino_mass_gev.map(f64::abs),
            u: spectrum.umix,
            v: spectrum.vmix,
            chargino_mass_gev: spectrum.chargino_mass_gev.map(f64::abs),
            sin_w: sin2_w.sqrt(),
            cos_w: (1.0 - sin2_w).sqrt(),
        }
    }

    /// Coupling of χ̃⁰_i to a left-handed quark and its left squark, in units
    /// of √2 g / cos θ_W: (e_q − T3) sin θ_W N_i1 + T3 cos θ_W N_i2.
    pub fn neutralino_left(&self, quark: Quark, i: usize) -> Complex64 {
        let t3 = quark.isospin();
        (quark.charge() - t3) * self.sin_w * self.n[i][0] + t3 * self.cos_w * self.n[i][1]
    }

    /// Coupling of χ̃⁰_i to a right-handed quark and its right squark, in the
    /// units of [`GauginoMixing::neutralino_left`]: −e_q sin θ_W N_i1*.
    pub fn neutralino_right(&self, quark: Quark, i: usize) -> Complex64 {
        -quark.charge() * self.sin_w * self.n[i][0].conj()
    }

    /// Z χ̃⁰_i χ̃⁰_j left coupling O''^L_ij = −½ N_i3 N_j3* + ½ N_i4 N_j4*.
    pub fn z_neutralino_left(&self, i: usize, j: usize) -> Complex64 {
        -0.5 * self.n[i][2] * self.n[j][2].conj() + 0.5 * self.n[i][3] * self.n[j][3].conj()
    }

    /// Z χ̃⁰_i χ̃⁰_j right coupling O''^R_ij = −(O''^L_ij)*.
    pub fn z_neutralino_right(&self, i: usize, j: usize) -> Complex64 {
        -self.z_neutralino_left(i, j).conj()
    }

    /// W χ̃⁰_i χ̃⁺_k left coupling O^L_ik = −N_i4 V_k2 / √2 + N_i2 V_k1.
    pub fn w_left(&self, i: usize, k: usize) -> Complex64 {
        -self.n[i][3] * self.v[k][1] / std::f64::consts::SQRT_2 + self.n[i][1] * self.v[k][0]
    }

    /// W χ̃⁰_i χ̃⁺_k right coupling O^R_ik = N_i3* U_k2 / √2 + N_i2* U_k1.
    pub fn w_right(&self, i: usize, k: usize) -> Complex64 {
        self.n[i][2].conj() * self.u[k][1] / std::f64::consts::SQRT_2 + self.n[i][1].conj() * self.u[k][0]
    }

    /// Z χ̃⁺_k χ̃⁻_l left coupling O'^L_kl = −V_k1 V_l1 − ½ V_k2 V_l2 + δ_kl sin²θ_W.
    pub fn z_chargino_left(&self, k: usize, l: usize) -> f64 {
        let delta = if k == l { self.sin_w * self.sin_w } else { 0.0 };
        -self.v[k][0] * self.v[l][0] - 0.5 * self.v[k][1] * self.v[l][1] + delta
    }

    /// Z χ̃⁺_k χ̃⁻_l right coupling O'^R_kl = −U_k1 U_l1 − ½ U_k2 U_l2 + δ_kl sin²θ_W.
    pub fn z_chargino_right(&self, k: usize, l: usize) -> f64 {
        let delta = if k == l { self.sin_w * self.sin_w } else { 0.0 };
        -self.u[k][0] * self.u[l][0] - 0.5 * self.u[k][1] * self.u[l][1] + delta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_shell_inputs() {
        // sin²θ_W = 1 − (80.41/91.187)² = 0.2224036 and α⁻¹ = 132.45 in this scheme.
        assert!((sin2_theta_w() - 0.2224036).abs() < 1e-7, "{}", sin2_theta_w());
        assert!((1.0 / alpha_em() - 132.453).abs() < 0.001, "{}", 1.0 / alpha_em());
    }
}
