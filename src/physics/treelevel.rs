//! Tree-level electroweakino and squark spectrum from pMSSM-19 soft
//! parameters.
//!
//! The result is a tree-level approximation: no loop corrections to masses
//! or mixing, so it differs from a spectrum generator by a few per cent.
//! Conventions are SLHA2 (Skands et al., Comput. Phys. Commun. 180 (2009) 8):
//! basis (B̃, W̃³, H̃⁰_d, H̃⁰_u) for neutralinos with N real and the masses signed,
//! ordered by |m|; charginos from U* X V† = diag(m₁, m₂) with m₁ ≤ m₂ positive.
//! The eigenproblems use a cyclic Jacobi routine of our own: the matrices are
//! at most 4×4, and this keeps the core free of a linear-algebra dependency.

use thiserror::Error;

use super::couplings::{sin2_theta_w, W_MASS_GEV, Z_MASS_GEV};
use crate::spectrum::Spectrum;

/// pMSSM-19 parameters that fix the electroweakinos, the first- and
/// second-generation squarks and the gluino at tree level (GeV unless noted).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SoftParameters {
    /// Bino mass M₁.
    pub m1_gev: f64,
    /// Wino mass M₂.
    pub m2_gev: f64,
    /// Gluino mass parameter M₃ (the gluino mass is |M₃|).
    pub m3_gev: f64,
    /// Higgsino mass parameter μ.
    pub mu_gev: f64,
    /// Ratio of the Higgs vacuum expectation values (dimensionless, > 0).
    pub tan_beta: f64,
    /// Left-handed squark doublet mass m_Q̃ of the first two generations.
    pub m_q_gev: f64,
    /// Right-handed up-squark mass m_ũ of the first two generations.
    pub m_u_gev: f64,
    /// Right-handed down-squark mass m_d̃ of the first two generations.
    pub m_d_gev: f64,
}

/// Invalid soft parameters.
#[derive(Debug, Error, PartialEq)]
pub enum TreeLevelError {
    #[error("{name} = {value} is not a finite number")]
    NonFinite { name: &'static str, value: f64 },
    #[error("tan β = {0} must be positive")]
    NonPositiveTanBeta(f64),
    #[error("squark mass² of {name} is {value_gev2} GeV² after D-terms; the point is tachyonic")]
    TachyonicSquark { name: &'static str, value_gev2: f64 },
}

/// Computes the tree-level spectrum. Chargino masses are positive, neutralino
/// masses signed; squarks include the D-term shifts; the gluino mass is |M₃|.
pub fn tree_level_spectrum(p: &SoftParameters) -> Result<Spectrum, TreeLevelError> {
    let inputs = [
        ("M1", p.m1_gev),
        ("M2", p.m2_gev),
        ("M3", p.m3_gev),
        ("mu", p.mu_gev),
        ("tan_beta", p.tan_beta),
        ("m_Q", p.m_q_gev),
        ("m_u", p.m_u_gev),
        ("m_d", p.m_d_gev),
    ];
    for (name, value) in inputs {
        if !value.is_finite() {
            return Err(TreeLevelError::NonFinite { name, value });
        }
    }
    if p.tan_beta <= 0.0 {
        return Err(TreeLevelError::NonPositiveTanBeta(p.tan_beta));
    }

    let (neutralino_mass_gev, nmix) = neutralinos(p);
    let (chargino_mass_gev, umix, vmix) = charginos(p);
    let squark_mass_gev = squarks(p)?;
    Ok(Spectrum {
        neutralino_mass_gev,
        nmix,
        chargino_mass_gev,
        umix,
        vmix,
        squark_mass_gev,
        gluino_mass_gev: p.m3_gev.abs(),
    })
}

fn beta_angles(tan_beta: f64) -> (f64, f64) {
    let beta = tan_beta.atan();
    (beta.sin(), beta.cos())
}

/// Neutralino mass matrix in the basis (B̃, W̃³, H̃⁰_d, H̃⁰_u), SLHA2 eq. (21).
pub fn neutralino_mass_matrix(p: &SoftParameters) -> [[f64; 4]; 4] {
    let (sin_b, cos_b) = beta_angles(p.tan_beta);
    let sin_w = sin2_theta_w().sqrt();
    let cos_w = (1.0 - sin2_theta_w()).sqrt();
    let mz = Z_MASS_GEV;
    [
        [p.m1_gev, 0.0, -mz * cos_b * sin_w, mz * sin_b * sin_w],
        [0.0, p.m2_gev, mz * cos_b * cos_w, -mz * sin_b * cos_w],
        [-mz * cos_b * sin_w, mz * cos_b * cos_w, 0.0, -p.mu_gev],
        [mz * sin_b * sin_w, -mz * sin_b * cos_w, -p.mu_gev, 0.0],
    ]
}

/// Chargino mass matrix X in the basis (W̃⁺, H̃⁺_u) × (W̃⁻, H̃⁻_d), SLHA2 eq. (24):
/// U* X V† is diagonal.
pub fn chargino_mass_matrix(p: &SoftParameters) -> [[f64; 2]; 2] {
    let (sin_b, cos_b) = beta_angles(p.tan_beta);
    let root2_mw = std::f64::consts::SQRT_2 * W_MASS_GEV;
    [[p.m2_gev, root2_mw * sin_b], [root2_mw * cos_b, p.mu_gev]]
}

fn neutralinos(p: &SoftParameters) -> ([f64; 4], [[f64; 4]; 4]) {
    let (values, vectors) = jacobi_eigen(neutralino_mass_matrix(p));
    // Row i of N is the eigenvector of eigenvalue i, ordered by |m|.
    let mut order = [0, 1, 2, 3];
    order.sort_by(|&a, &b| values[a].abs().total_cmp(&values[b].abs()));
    let mut masses = [0.0; 4];
    let mut nmix = [[0.0; 4]; 4];
    for (row, &k) in order.iter().enumerate() {
        masses[row] = values[k];
        for j in 0..4 {
            nmix[row][j] = vectors[j][k];
        }
    }
    (masses, nmix)
}

fn charginos(p: &SoftParameters) -> ([f64; 2], [[f64; 2]; 2], [[f64; 2]; 2]) {
    let x = chargino_mass_matrix(p);
    // V diagonalises XᵀX: V XᵀX Vᵀ = diag(m²).
    let xtx = [
        [x[0][0] * x[0][0] + x[1][0] * x[1][0], x[0][0] * x[0][1] + x[1][0] * x[1][1]],
        [x[0][1] * x[0][0] + x[1][1] * x[1][0], x[0][1] * x[0][1] + x[1][1] * x[1][1]],
    ];
    let (values, vectors) = jacobi_eigen(xtx);
    let order = if values[0] <= values[1] { [0, 1] } else { [1, 0] };
    let mut vmix = [[0.0; 2]; 2];
    for (row, &k) in order.iter().enumerate() {
        for j in 0..2 {
            vmix[row][j] = vectors[j][k];
        }
    }

    // U = D⁻¹ V Xᵀ row by row, so that U X Vᵀ = D. For a vanishing mass the
    // row is completed to an orthonormal basis instead.
    let mut masses = [0.0; 2];
    let mut umix = [[0.0; 2]; 2];
    for row in 0..2 {
        let v = vmix[row];
        // (X Vᵀ)_{j} = Σ_k X_jk V_row,k
        let column = [x[0][0] * v[0] + x[0][1] * v[1], x[1][0] * v[0] + x[1][1] * v[1]];
        let norm = (column[0] * column[0] + column[1] * column[1]).sqrt();
        masses[row] = norm;
        if norm > 1e-12 * (1.0 + x[0][0].abs() + x[1][1].abs()) {
            umix[row] = [column[0] / norm, column[1] / norm];
        }
    }
    for row in 0..2 {
        if masses[row] <= 1e-12 * (1.0 + x[0][0].abs() + x[1][1].abs()) {
            let other = umix[1 - row];
            umix[row] = [-other[1], other[0]];
        }
    }
    (masses, umix, vmix)
}

/// First- and second-generation squark masses with D-terms, in the order of
/// [`crate::spectrum::SQUARK_PDG`] (d̃_L, d̃_R, ũ_R, ũ_L, s̃_L, s̃_R, c̃_L, c̃_R).
fn squarks(p: &SoftParameters) -> Result<[f64; 8], TreeLevelError> {
    let (sin_b, cos_b) = beta_angles(p.tan_beta);
    let cos_2b = cos_b * cos_b - sin_b * sin_b;
    let d = Z_MASS_GEV * Z_MASS_GEV * cos_2b;
    let sw2 = sin2_theta_w();
    // D-term: m_Z² cos 2β (T3 − e_q sin²θ_W).
    let up_left = p.m_q_gev.powi(2) + d * (0.5 - 2.0 / 3.0 * sw2);
    let down_left = p.m_q_gev.powi(2) + d * (-0.5 + 1.0 / 3.0 * sw2);
    let up_right = p.m_u_gev.powi(2) + d * (2.0 / 3.0 * sw2);
    let down_right = p.m_d_gev.powi(2) + d * (-1.0 / 3.0 * sw2);
    let mass = |name: &'static str, value_gev2: f64| {
        if value_gev2 < 0.0 {
            Err(TreeLevelError::TachyonicSquark { name, value_gev2 })
        } else {
            Ok(value_gev2.sqrt())
        }
    };
    let (dl, dr) = (mass("d_L", down_left)?, mass("d_R", down_right)?);
    let (ur, ul) = (mass("u_R", up_right)?, mass("u_L", up_left)?);
    Ok([dl, dr, ur, ul, dl, dr, ul, ur])
}

/// Eigenvalues and eigenvectors (as columns) of a real symmetric matrix by
/// the cyclic Jacobi method; converges quadratically, to machine precision
/// within a few sweeps for n ≤ 4.
fn jacobi_eigen<const N: usize>(matrix: [[f64; N]; N]) -> ([f64; N], [[f64; N]; N]) {
    let mut a = matrix;
    let mut v = [[0.0; N]; N];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..50 {
        let off: f64 = (0..N)
            .flat_map(|i| (0..N).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        let scale: f64 = (0..N).map(|i| a[i][i] * a[i][i]).sum::<f64>() + off;
        if off <= 1e-32 * scale || off == 0.0 {
            break;
        }
        for p in 0..N {
            for q in p + 1..N {
                if a[p][q] == 0.0 {
                    continue;
                }
                // Rotation angle that zeroes a[p][q] (Golub and Van Loan, §8.5).
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..N {
                    let akp = a[k][p];
                    let akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..N {
                    let apk = a[p][k];
                    let aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let vkp = row[p];
                    let vkq = row[q];
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut values = [0.0; N];
    for (i, value) in values.iter_mut().enumerate() {
        *value = a[i][i];
    }
    (values, v)
}
