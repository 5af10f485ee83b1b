//! The leading-order engine on a generated parton-density grid: hadronic
//! integration against an independent double integral, symmetries and input
//! checks. Needs no shared reference data.

use deepxs::physics::couplings::{GauginoMixing, Quark, GEV2_TO_PB};
use deepxs::physics::lo::{degenerate_squark_mass_gev, REFERENCE_DEGENERATE_NORMALISATION};
use deepxs::physics::partonic::PartonicProcess;
use deepxs::physics::quadrature::GaussLegendre;
use deepxs::physics::{LoEngine, LoError, Pair, Parton, PdfSet};
use deepxs::spectrum::Spectrum;

/// Builds a set with x·f(x) = a_p x^0.4 (1 − x)^4 at every Q and a different
/// a_p per parton. The cubic interpolation does not reproduce this shape
/// exactly, so the grid is dense.
fn generated_set() -> PdfSet {
    let xs: Vec<f64> = (0..301).map(|i| 1e-5 * 1e5_f64.powf(i as f64 / 300.0)).collect();
    let qs = [10.0, 100.0, 1000.0, 10000.0];
    let join = |values: &[f64]| values.iter().map(|v| format!("{v:e}")).collect::<Vec<_>>().join(" ");
    let mut text = format!("Format: lhagrid1\n---\n{}\n{}\n-4 -3 -2 -1 1 2 3 4 21\n", join(&xs), join(&qs));
    for &x in &xs {
        for _ in qs {
            let shape = x.powf(0.4) * (1.0 - x).powi(4);
            let row: Vec<f64> = (0..9).map(|k| shape * (0.2 + 0.1 * k as f64)).collect();
            text += &join(&row);
            text.push('\n');
        }
    }
    text += "---\n";
    PdfSet::from_lhapdf_strings("SetIndex: 1\nFormat: lhagrid1\n", &text, "generated.dat").unwrap()
}

fn spectrum() -> Spectrum {
    Spectrum {
        neutralino_mass_gev: [150.0, -310.0, 520.0, -700.0],
        nmix: [
            [0.97, -0.05, 0.20, -0.12],
            [0.10, 0.93, -0.27, 0.22],
            [-0.06, 0.09, 0.70, 0.70],
            [-0.20, 0.35, 0.62, -0.67],
        ],
        chargino_mass_gev: [305.0, 705.0],
        umix: [[0.90, -0.43], [0.43, 0.90]],
        vmix: [[0.95, -0.31], [0.31, 0.95]],
        squark_mass_gev: [1100.0, 1300.0, 1500.0, 1050.0, 1200.0, 1400.0, 1250.0, 1600.0],
        gluino_mass_gev: 2000.0,
    }
}

/// σ = Σ_channels ∫∫ dx₁ dx₂ [f_q(x₁) f_q̄′(x₂) + f_q̄′(x₁) f_q(x₂)] σ̂(x₁x₂S),
/// integrated over ln x₁ and ln x₂ with the region x₁x₂ < τ₀ cut out.
fn brute_force_pb(pdf: &PdfSet, spectrum: &Spectrum, pair: Pair, sqrt_s: f64) -> f64 {
    let mixing = GauginoMixing::new(spectrum);
    let (mass_a, mass_b) = match pair {
        Pair::CharginoPair(k, l) => (spectrum.chargino_mass_gev[k], spectrum.chargino_mass_gev[l]),
        _ => panic!("only chargino pairs here"),
    };
    let slice = pdf.slice_at(0.5 * (mass_a + mass_b));
    let s_hadronic = sqrt_s * sqrt_s;
    let tau0 = (mass_a + mass_b).powi(2) / s_hadronic;
    let channels = [
        (Quark::Up, Parton::Up, Parton::AntiUp),
        (Quark::Down, Parton::Down, Parton::AntiDown),
        (Quark::Strange, Parton::Strange, Parton::AntiStrange),
        (Quark::Charm, Parton::Charm, Parton::AntiCharm),
    ];
    let rule = GaussLegendre::new(200);
    let ln_tau0 = tau0.ln();
    let mut total = 0.0;
    for (quark, q, qbar) in channels {
        let process = PartonicProcess::new(&mixing, pair, quark, &spectrum.squark_mass_gev);
        // ln x₁ runs over [ln τ₀, 0] and ln x₂ over [ln τ₀ − ln x₁, 0].
        total += rule.integrate(ln_tau0, 0.0, |ln_x1| {
            let x1 = ln_x1.exp();
            let f1 = slice.xf_all(x1);
            rule.integrate(ln_tau0 - ln_x1, 0.0, |ln_x2| {
                let x2 = ln_x2.exp();
                let f2 = slice.xf_all(x2);
                // dx₁dx₂ f f = d ln x₁ d ln x₂ (x₁f)(x₂f).
                let lumi = f1[q as usize] * f2[qbar as usize] + f1[qbar as usize] * f2[q as usize];
                lumi * process.sigma_gev2(x1 * x2 * s_hadronic)
            })
        });
    }
    total * GEV2_TO_PB
}

#[test]
fn hadronic_integral_matches_brute_force() {
    let pdf = generated_set();
    let engine = LoEngine::new(&pdf, 13000.0).unwrap();
    let spectrum = spectrum();
    for pair in [Pair::CharginoPair(0, 0), Pair::CharginoPair(0, 1)] {
        let fast = engine.cross_section(&spectrum, pair).unwrap().lo_pb;
        let slow = brute_force_pb(&pdf, &spectrum, pair, 13000.0);
        assert!((fast / slow - 1.0).abs() < 2e-4, "{pair}: {fast} vs {slow}");
    }
}

#[test]
fn charge_conjugate_channels_differ_by_luminosity() {
    // With the generated set, every quark and antiquark density has its own
    // normalisation, so χ̃⁰χ̃⁺ (u d̄, c s̄) and χ̃⁰χ̃⁻ (d ū, s c̄) differ by the
    // ratio of those products while the partonic cross sections agree.
    let pdf = generated_set();
    let engine = LoEngine::new(&pdf, 13000.0).unwrap();
    let mut spectrum = spectrum();
    // Equal generations make the two channels share one partonic process.
    spectrum.squark_mass_gev = [1100.0, 1300.0, 1500.0, 1050.0, 1100.0, 1300.0, 1050.0, 1500.0];
    let plus = Pair::parse("n2c1p").unwrap();
    let minus = Pair::parse("n2c1m").unwrap();
    let sigma_plus = engine.cross_section(&spectrum, plus).unwrap().lo_pb;
    let sigma_minus = engine.cross_section(&spectrum, minus).unwrap().lo_pb;
    // Column weights 0.2 + 0.1k for PDG -4 -3 -2 -1 1 2 3 4: c̄ 0.2, s̄ 0.3,
    // ū 0.4, d̄ 0.5, d 0.6, u 0.7, s 0.8, c 0.9.
    let plus_weight = 0.7 * 0.5 + 0.9 * 0.3;
    let minus_weight = 0.6 * 0.4 + 0.8 * 0.2;
    let ratio = sigma_plus / sigma_minus;
    assert!((ratio / (plus_weight / minus_weight) - 1.0).abs() < 1e-9, "{ratio}");
}

#[test]
fn degenerate_equals_individual_for_equal_masses() {
    let pdf = generated_set();
    let engine = LoEngine::new(&pdf, 13000.0).unwrap();
    let mut spectrum = spectrum();
    spectrum.squark_mass_gev = [1234.0; 8];
    for pair in Pair::all() {
        let result = engine.cross_section(&spectrum, pair).unwrap();
        assert!(result.lo_pb > 0.0, "{pair}");
        // The degenerate value differs only by the reference run's normalisation.
        let expected = REFERENCE_DEGENERATE_NORMALISATION;
        assert!((result.lo_degenerate_pb / result.lo_pb / expected - 1.0).abs() < 1e-12, "{pair}");
    }
}

#[test]
fn degenerate_mass_capped_at_eleven_times_lighter() {
    let mut spectrum = spectrum();
    spectrum.squark_mass_gev = [3000.0; 8];
    assert_eq!(degenerate_squark_mass_gev(&spectrum, -150.0, 305.0), 1650.0);
    assert_eq!(degenerate_squark_mass_gev(&spectrum, 300.0, 305.0), 3000.0);
    spectrum.gluino_mass_gev = 3000.5;
    assert_eq!(degenerate_squark_mass_gev(&spectrum, 300.0, 305.0), 3001.0);
}

#[test]
fn above_collider_energy_is_zero() {
    let pdf = generated_set();
    let engine = LoEngine::new(&pdf, 500.0).unwrap();
    let result = engine.cross_section(&spectrum(), Pair::CharginoPair(1, 1)).unwrap();
    assert_eq!(result.lo_pb, 0.0);
    assert_eq!(result.lo_degenerate_pb, 0.0);
}

#[test]
fn invalid_inputs_rejected() {
    let pdf = generated_set();
    assert_eq!(LoEngine::new(&pdf, -1.0).unwrap_err(), LoError::InvalidEnergy(-1.0));
    let engine = LoEngine::new(&pdf, 13000.0).unwrap();
    let mut bad = spectrum();
    bad.squark_mass_gev[2] = 0.0;
    assert!(matches!(
        engine.cross_section(&bad, Pair::CharginoPair(0, 0)),
        Err(LoError::NonPositiveSquarkMass { .. })
    ));
    let mut bad = spectrum();
    bad.neutralino_mass_gev[1] = f64::NAN;
    assert!(matches!(engine.cross_section(&bad, Pair::CharginoPair(0, 0)), Err(LoError::NonFiniteMass { .. })));
    let mut bad = spectrum();
    bad.umix[0][1] = f64::INFINITY;
    let mut massless = spectrum();
    massless.neutralino_mass_gev[0] = 0.0;
    assert!(matches!(
        engine.cross_section(&massless, Pair::NeutralinoNeutralino(0, 0)),
        Err(LoError::ZeroMass { .. })
    ));
    let results = engine.batch(&[spectrum(), bad], &[Pair::CharginoPair(0, 0)]);
    assert!(results[0].is_ok());
    assert!(matches!(results[1], Err(LoError::NonFiniteMixing { .. })));
}

/// The term values that `deepxs-train label --terms` writes must rebuild
/// the engine's σ_LO through the structured networks' coupling products,
/// at mixings unlike the designs they were solved from, for both signs of
/// m(χ̃⁰₂). The term values are exact (no network), so the only differences
/// are the rounding of the products' constants to 8 digits.
#[test]
fn term_values_rebuild_sigma_at_physical_mixings() {
    use deepxs::pair::Pair as NetworkPair;
    use deepxs::record::InputRecord;
    use deepxs::train::engine::EngineLabels;
    use deepxs::train::features::{structured_coefficients, structured_form, FeatureSet};
    use deepxs::train::objective::Structure;
    use deepxs::train::terms::TermLabels;

    let pdf = generated_set();
    let records: Vec<InputRecord> = (0..24)
        .map(|i| {
            let t = i as f64;
            let (a, b, c) = (1.3 * t + 0.2, 0.7 * t + 1.1, 2.1 * t + 0.4);
            let n2 = [a.sin() * b.cos(), a.sin() * b.sin(), a.cos() * c.cos(), a.cos() * c.sin()];
            let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
            let (u, v) = (0.9 * t, 1.7 * t + 0.3);
            let mut values = [u.cos(), u.sin(), v.cos(), v.sin(), n2[0], n2[1], n2[2], n2[3], sign * (150.0 + 40.0 * t), 160.0 + 35.0 * t, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2500.0];
            for (k, value) in values[10..18].iter_mut().enumerate() {
                *value = 700.0 + 1300.0 * ((t + 1.0) * (k as f64 + 1.0)).sin().abs();
            }
            InputRecord::from_values(values)
        })
        .collect();
    let sigmas = EngineLabels { description: "generated".into(), pdf: pdf.clone() };
    let labels = TermLabels { pdf };
    for pair in [NetworkPair::N2n2, NetworkPair::N2c1p, NetworkPair::N2c1m] {
        let Structure::SignedTerms { signs } = structured_form(pair) else { panic!("{pair} has signed terms") };
        let products = FeatureSet::fit(structured_coefficients(pair), &[]).unwrap().raw_values(&records).unwrap();
        let terms = labels.terms(pair, &records).unwrap();
        for ((record, sigma), (products, terms)) in records.iter().zip(sigmas.cross_sections(pair, &records)).zip(products.iter().zip(&terms)) {
            let sigma = sigma.expect("engine σ");
            let terms = terms.as_ref().expect("terms solved");
            let rebuilt: f64 = signs.iter().zip(products).zip(terms).map(|((s, c), t)| s * c * t).sum();
            let scale: f64 = products.iter().zip(terms).map(|(c, t)| (c * t).abs()).sum();
            assert!((rebuilt - sigma).abs() < 1e-7 * scale, "{pair} at {:?}: {rebuilt} pb rebuilt, {sigma} pb", record.values());
        }
    }
    let error = labels.terms(NetworkPair::C1c1, &records).expect_err("c1c1 has no signed terms");
    assert!(error.to_string().contains("term labels are for n2n2, n2c1p and n2c1m"), "{error}");
}
