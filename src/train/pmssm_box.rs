//! Input sampling from the pMSSM-19 parameter box through the tree-level
//! spectrum generator.
//!
//! The box and the cuts are those of the ATLAS Run-1 pMSSM scan that the
//! DeepXS training data came from (Otten et al., Eur. Phys. J. C 80 (2020)
//! 12): |M₁|, |M₂|, |μ| up to 4 TeV with either sign, M₃ in [0.2, 4] TeV,
//! tan β in [1, 60] and the first- and second-generation squark soft masses
//! in [0.2, 4] TeV, all drawn uniformly. A point is kept when χ̃⁰₁ is lighter
//! than the other electroweakinos, the first- and second-generation squarks
//! and the gluino, every one of those squarks is above 500 GeV and χ̃±₁ is
//! above 100 GeV. The other soft masses of the pMSSM-19 do not enter the
//! spectrum here, because they can always be put above χ̃⁰₁.
//! The σ_min cut needs the cross section of a pair, so `deepxs-train label`
//! applies it.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::checks::{MIN_CHARGINO_MASS_GEV, MIN_SQUARK_MASS_GEV};
use crate::physics::treelevel::{tree_level_spectrum, SoftParameters};
use crate::record::InputRecord;
use crate::spectrum::Spectrum;
use crate::web::pmssm::form_values;

/// Ranges of the sampled soft parameters (GeV, except tan β). Each range
/// is closed and drawn uniformly. The electroweakino parameters M₁, M₂ and
/// μ take a uniform magnitude in `[0, electroweakino_max_gev]` and a random
/// sign.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PmssmBox {
    pub electroweakino_max_gev: f64,
    pub gluino_gev: (f64, f64),
    pub tan_beta: (f64, f64),
    pub squark_gev: (f64, f64),
}

impl Default for PmssmBox {
    /// Returns the box of the ATLAS Run-1 pMSSM scan.
    fn default() -> Self {
        PmssmBox { electroweakino_max_gev: 4000.0, gluino_gev: (200.0, 4000.0), tan_beta: (1.0, 60.0), squark_gev: (200.0, 4000.0) }
    }
}

/// A sampled point: its soft parameters, tree-level spectrum and the 19
/// network inputs taken from the spectrum.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxPoint {
    pub parameters: SoftParameters,
    pub spectrum: Spectrum,
    pub record: InputRecord,
}

/// Points drawn from the box and the number of draws it took.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxSample {
    pub points: Vec<BoxPoint>,
    pub draws: usize,
}

/// True when the spectrum passes the mass cuts of the box sampling: χ̃⁰₁
/// is lighter than every other electroweakino, squark and the gluino, the
/// squarks are above 500 GeV and χ̃±₁ is above 100 GeV.
pub fn passes_box_cuts(spectrum: &Spectrum) -> bool {
    let lsp_gev = spectrum.neutralino_mass_gev[0].abs();
    let others_heavier = spectrum.neutralino_mass_gev[1..].iter().map(|mass| mass.abs())
        .chain(spectrum.chargino_mass_gev.iter().map(|mass| mass.abs()))
        .chain(spectrum.squark_mass_gev.iter().copied())
        .chain([spectrum.gluino_mass_gev])
        .all(|mass_gev| mass_gev > lsp_gev);
    others_heavier
        && spectrum.squark_mass_gev.iter().all(|&mass_gev| mass_gev > MIN_SQUARK_MASS_GEV)
        && spectrum.chargino_mass_gev[0] > MIN_CHARGINO_MASS_GEV
}

fn draw_soft_parameters(pmssm_box: &PmssmBox, rng: &mut ChaCha8Rng) -> SoftParameters {
    let mut signed = |maximum: f64| {
        let magnitude = rng.random_range(0.0..=maximum);
        if rng.random_bool(0.5) {
            magnitude
        } else {
            -magnitude
        }
    };
    let m1_gev = signed(pmssm_box.electroweakino_max_gev);
    let m2_gev = signed(pmssm_box.electroweakino_max_gev);
    let mu_gev = signed(pmssm_box.electroweakino_max_gev);
    let mut within = |(low, high): (f64, f64)| rng.random_range(low..=high);
    SoftParameters {
        m1_gev,
        m2_gev,
        mu_gev,
        m3_gev: within(pmssm_box.gluino_gev),
        tan_beta: within(pmssm_box.tan_beta),
        m_q_gev: within(pmssm_box.squark_gev),
        m_u_gev: within(pmssm_box.squark_gev),
        m_d_gev: within(pmssm_box.squark_gev),
    }
}

/// Draws points from the box until `count` pass [`passes_box_cuts`], or
/// until `max_draws` draws were made. The same seed gives the same points.
/// Draws whose spectrum cannot be computed (a tachyonic squark, for
/// example) count as failing the cuts.
pub fn sample_pmssm_box(pmssm_box: &PmssmBox, count: usize, max_draws: usize, seed: u64) -> BoxSample {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut points = Vec::with_capacity(count);
    let mut draws = 0;
    while points.len() < count && draws < max_draws {
        draws += 1;
        let parameters = draw_soft_parameters(pmssm_box, &mut rng);
        let Ok(spectrum) = tree_level_spectrum(&parameters) else { continue };
        if passes_box_cuts(&spectrum) {
            let record = InputRecord::from_values(form_values(&spectrum));
            points.push(BoxPoint { parameters, spectrum, record });
        }
    }
    BoxSample { points, draws }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Column, SQUARK_COLUMNS};

    #[test]
    fn box_points_lie_in_the_box() {
        let pmssm_box = PmssmBox::default();
        let sample = sample_pmssm_box(&pmssm_box, 2000, 100_000, 7);
        assert_eq!(sample.points.len(), 2000);
        for point in &sample.points {
            let p = point.parameters;
            for value in [p.m1_gev, p.m2_gev, p.mu_gev] {
                assert!(value.abs() <= 4000.0, "{p:?}");
            }
            assert!((200.0..=4000.0).contains(&p.m3_gev), "{p:?}");
            assert!((1.0..=60.0).contains(&p.tan_beta), "{p:?}");
            for value in [p.m_q_gev, p.m_u_gev, p.m_d_gev] {
                assert!((200.0..=4000.0).contains(&value), "{p:?}");
            }
        }
        let negative = |get: fn(&SoftParameters) -> f64| sample.points.iter().filter(|point| get(&point.parameters) < 0.0).count();
        for (name, count) in [("M1", negative(|p| p.m1_gev)), ("M2", negative(|p| p.m2_gev)), ("mu", negative(|p| p.mu_gev))] {
            assert!((700..1300).contains(&count), "{name} is negative in {count} of 2000 points");
        }
    }

    #[test]
    fn box_points_pass_the_cuts() {
        let sample = sample_pmssm_box(&PmssmBox::default(), 2000, 100_000, 8);
        assert!(sample.draws > sample.points.len(), "some draws must fail the cuts");
        for point in &sample.points {
            let record = &point.record;
            let get = |column: Column| record.get(column).expect("complete record");
            let lsp_gev = point.spectrum.neutralino_mass_gev[0].abs();
            assert!(get(Column::MChi20).abs() > lsp_gev);
            assert!(get(Column::MChi1pm) > lsp_gev.max(100.0));
            assert!(get(Column::MGluino) > lsp_gev);
            for column in SQUARK_COLUMNS {
                assert!(get(column) > lsp_gev.max(500.0), "{} = {}", column.name(), get(column));
            }
            assert_eq!(get(Column::MGluino), point.parameters.m3_gev);
        }
    }

    #[test]
    fn cuts_reject_a_light_squark_and_a_heavy_lsp() {
        let base = SoftParameters {
            m1_gev: 300.0,
            m2_gev: 600.0,
            m3_gev: 2500.0,
            mu_gev: 1200.0,
            tan_beta: 10.0,
            m_q_gev: 2000.0,
            m_u_gev: 2000.0,
            m_d_gev: 2000.0,
        };
        let spectrum = |parameters: SoftParameters| tree_level_spectrum(&parameters).expect("valid parameters");
        assert!(passes_box_cuts(&spectrum(base)));
        assert!(!passes_box_cuts(&spectrum(SoftParameters { m_u_gev: 450.0, ..base })), "ũ_R below 500 GeV");
        let heavy_electroweakinos = SoftParameters { m1_gev: 3000.0, m2_gev: 3500.0, mu_gev: -3200.0, ..base };
        assert!(!passes_box_cuts(&spectrum(heavy_electroweakinos)), "the squarks are lighter than χ̃⁰₁");
        assert!(!passes_box_cuts(&spectrum(SoftParameters { m3_gev: 250.0, ..base })), "the gluino is the LSP");
        assert!(!passes_box_cuts(&spectrum(SoftParameters { m1_gev: 80.0, m2_gev: 90.0, ..base })), "χ̃±₁ below 100 GeV");
    }

    #[test]
    fn same_seed_gives_same_points() {
        let pmssm_box = PmssmBox::default();
        let first = sample_pmssm_box(&pmssm_box, 300, 10_000, 3);
        assert_eq!(sample_pmssm_box(&pmssm_box, 300, 10_000, 3), first);
        assert_ne!(sample_pmssm_box(&pmssm_box, 300, 10_000, 4).points[0], first.points[0]);
    }
}
