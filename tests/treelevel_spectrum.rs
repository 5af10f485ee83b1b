//! Tree-level spectra from soft parameters: diagonalisation identities and
//! cases with closed-form answers.

use deepxs::physics::couplings::{W_MASS_GEV, Z_MASS_GEV};
use deepxs::physics::treelevel::{
    chargino_mass_matrix, neutralino_mass_matrix, tree_level_spectrum, SoftParameters, TreeLevelError,
};

fn point(m1: f64, m2: f64, mu: f64, tan_beta: f64) -> SoftParameters {
    SoftParameters {
        m1_gev: m1,
        m2_gev: m2,
        m3_gev: -2500.0,
        mu_gev: mu,
        tan_beta,
        m_q_gev: 1800.0,
        m_u_gev: 2100.0,
        m_d_gev: 1500.0,
    }
}

/// Points covering bino-, wino- and higgsino-like spectra, negative
/// parameters and strong mixing.
fn scan() -> Vec<SoftParameters> {
    vec![
        point(100.0, 200.0, 300.0, 10.0),
        point(-350.0, 1200.0, 400.0, 3.0),
        point(500.0, 480.0, -510.0, 1.5),
        point(2000.0, 150.0, 1000.0, 40.0),
        point(1500.0, 1600.0, 120.0, 20.0),
        point(90.0, 95.0, 100.0, 1.0),
    ]
}

#[test]
fn neutralino_mixing_diagonalises() {
    for p in scan() {
        let spectrum = tree_level_spectrum(&p).unwrap();
        let m = neutralino_mass_matrix(&p);
        let n = spectrum.nmix;
        for i in 0..4 {
            for j in 0..4 {
                let mut element = 0.0;
                for k in 0..4 {
                    for l in 0..4 {
                        element += n[i][k] * m[k][l] * n[j][l];
                    }
                }
                let expected = if i == j { spectrum.neutralino_mass_gev[i] } else { 0.0 };
                assert!((element - expected).abs() < 1e-9, "{p:?}: (N M Nᵀ)[{i}][{j}] = {element}");
            }
        }
    }
}

#[test]
fn neutralino_mixing_orthogonal() {
    for p in scan() {
        let n = tree_level_spectrum(&p).unwrap().nmix;
        for i in 0..4 {
            for j in 0..4 {
                let dot: f64 = (0..4).map(|k| n[i][k] * n[j][k]).sum();
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((dot - expected).abs() < 1e-12, "{p:?}: rows {i},{j}: {dot}");
            }
        }
    }
}

#[test]
fn neutralino_masses_ordered() {
    for p in scan() {
        let masses = tree_level_spectrum(&p).unwrap().neutralino_mass_gev;
        for pair in masses.windows(2) {
            assert!(pair[0].abs() <= pair[1].abs(), "{p:?}: {masses:?}");
        }
    }
}

#[test]
fn chargino_mixing_diagonalises() {
    for p in scan() {
        let spectrum = tree_level_spectrum(&p).unwrap();
        let x = chargino_mass_matrix(&p);
        let (u, v) = (spectrum.umix, spectrum.vmix);
        for i in 0..2 {
            for j in 0..2 {
                let mut element = 0.0;
                for k in 0..2 {
                    for l in 0..2 {
                        element += u[i][k] * x[k][l] * v[j][l];
                    }
                }
                let expected = if i == j { spectrum.chargino_mass_gev[i] } else { 0.0 };
                assert!((element - expected).abs() < 1e-9, "{p:?}: (U X Vᵀ)[{i}][{j}] = {element}");
            }
        }
        assert!(spectrum.chargino_mass_gev[0] >= 0.0);
        assert!(spectrum.chargino_mass_gev[0] <= spectrum.chargino_mass_gev[1]);
    }
}

#[test]
fn chargino_mixing_orthogonal() {
    for p in scan() {
        let spectrum = tree_level_spectrum(&p).unwrap();
        for matrix in [spectrum.umix, spectrum.vmix] {
            for i in 0..2 {
                for j in 0..2 {
                    let dot: f64 = (0..2).map(|k| matrix[i][k] * matrix[j][k]).sum();
                    let expected = if i == j { 1.0 } else { 0.0 };
                    assert!((dot - expected).abs() < 1e-12, "{p:?}: {matrix:?}");
                }
            }
        }
    }
}

/// M₁ = M₂ = 200 GeV, μ = 300 GeV, tan β = 1. Then the photino
/// cos θ_W B̃ + sin θ_W W̃³ has mass M₁ = 200, the higgsino (H̃_d + H̃_u)/√2 has
/// mass −μ = −300, and the zino and (H̃_d − H̃_u)/√2 mix through
/// [[M, m_Z], [m_Z, μ]] with eigenvalues 250 ± √(50² + m_Z²) =
/// 146.0037… and 353.9962… GeV.
#[test]
fn neutralinos_textbook_case() {
    let p = point(200.0, 200.0, 300.0, 1.0);
    let masses = tree_level_spectrum(&p).unwrap().neutralino_mass_gev;
    let root = (50.0_f64.powi(2) + Z_MASS_GEV.powi(2)).sqrt();
    let expected = [250.0 - root, 200.0, -300.0, 250.0 + root];
    for (mass, want) in masses.iter().zip(expected) {
        assert!((mass - want).abs() < 1e-9, "{masses:?} vs {expected:?}");
    }
    assert!((expected[0] - 146.0037).abs() < 1e-3);
    assert!((expected[3] - 353.9962).abs() < 1e-3);
}

/// Chargino masses from the closed form
/// m²₁,₂ = ½ [M₂² + μ² + 2m_W² ∓ √((M₂² + μ² + 2m_W²)² − 4(μM₂ − m_W² sin 2β)²)].
#[test]
fn charginos_closed_form() {
    for p in scan() {
        let masses = tree_level_spectrum(&p).unwrap().chargino_mass_gev;
        let sin_2b = 2.0 * p.tan_beta / (1.0 + p.tan_beta * p.tan_beta);
        let sum = p.m2_gev.powi(2) + p.mu_gev.powi(2) + 2.0 * W_MASS_GEV.powi(2);
        let det = p.mu_gev * p.m2_gev - W_MASS_GEV.powi(2) * sin_2b;
        let root = (sum * sum - 4.0 * det * det).sqrt();
        let light = (0.5 * (sum - root)).sqrt();
        let heavy = (0.5 * (sum + root)).sqrt();
        assert!((masses[0] - light).abs() < 1e-7, "{p:?}: {masses:?} vs {light}");
        assert!((masses[1] - heavy).abs() < 1e-7, "{p:?}: {masses:?} vs {heavy}");
    }
}

/// With tan β = 1 the D-terms vanish (cos 2β = 0), so squark masses equal the
/// soft masses; the gluino mass is |M₃|.
#[test]
fn squarks_without_d_terms() {
    let spectrum = tree_level_spectrum(&point(200.0, 200.0, 300.0, 1.0)).unwrap();
    let expected = [1800.0, 1500.0, 2100.0, 1800.0, 1800.0, 1500.0, 1800.0, 2100.0];
    for (mass, want) in spectrum.squark_mass_gev.iter().zip(expected) {
        assert!((mass - want).abs() < 1e-9, "{:?}", spectrum.squark_mass_gev);
    }
    assert_eq!(spectrum.gluino_mass_gev, 2500.0);
}

/// At large tan β, cos 2β → −1 and m²(ũ_L) = m_Q² − m_Z² (½ − ⅔ sin²θ_W).
#[test]
fn squark_d_terms_large_tan_beta() {
    let p = point(200.0, 200.0, 300.0, 1e6);
    let spectrum = tree_level_spectrum(&p).unwrap();
    let sw2 = 1.0 - (W_MASS_GEV / Z_MASS_GEV).powi(2);
    let up_left = (1800.0_f64.powi(2) - Z_MASS_GEV.powi(2) * (0.5 - 2.0 / 3.0 * sw2)).sqrt();
    assert!((spectrum.squark_mass_gev[3] - up_left).abs() < 1e-6);
    assert!(spectrum.squark_mass_gev[0] > 1800.0, "d_L rises for cos 2β < 0");
}

#[test]
fn invalid_inputs_rejected() {
    let mut p = point(200.0, 200.0, 300.0, 10.0);
    p.tan_beta = -1.0;
    assert_eq!(tree_level_spectrum(&p), Err(TreeLevelError::NonPositiveTanBeta(-1.0)));
    let mut p = point(200.0, 200.0, 300.0, 10.0);
    p.mu_gev = f64::NAN;
    assert!(matches!(tree_level_spectrum(&p), Err(TreeLevelError::NonFinite { name: "mu", .. })));
    let mut p = point(200.0, 200.0, 300.0, 10.0);
    p.m_q_gev = 10.0;
    assert!(matches!(tree_level_spectrum(&p), Err(TreeLevelError::TachyonicSquark { .. })));
}
