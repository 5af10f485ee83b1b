//! Property tests of XSECTION appending: repeating a write changes nothing,
//! the text before the appended blocks is kept byte for byte, and the
//! values read back are the ones written.

use deepxs::xsection::{append_to_slha, XsectionValue, PROGRAM};
use proptest::prelude::*;

const FINAL_STATES: [[i64; 2]; 4] = [[1000024, -1000024], [1000023, 1000023], [1000023, 1000024], [1000023, -1000024]];

fn values_strategy() -> impl Strategy<Value = Vec<XsectionValue>> {
    proptest::collection::vec((0usize..4, 0u8..2, 1e-12f64..1e3), 1..8).prop_map(|entries| {
        let mut values: Vec<XsectionValue> = Vec::new();
        for (state, order, sigma_pb) in entries {
            let pdg = FINAL_STATES[state];
            // One value per final state and order, as a prediction gives.
            values.retain(|value| !(value.pdg == pdg && value.qcd_order == order));
            values.push(XsectionValue { pdg, sqrts_gev: 13000.0, qcd_order: order, pdf_id: 10042, sigma_pb });
        }
        values
    })
}

fn spectrum_text_strategy() -> impl Strategy<Value = String> {
    (any::<bool>(), any::<bool>(), proptest::collection::vec("[A-Za-z0-9 .#+-]{0,30}", 0..5)).prop_map(|(crlf, trailing_newline, comments)| {
        let newline = if crlf { "\r\n" } else { "\n" };
        let mut text = format!("BLOCK MASS{newline} 1000024 2.5E+02{newline}");
        for comment in comments {
            text.push_str(&format!("# {comment}{newline}"));
        }
        text.push_str(&format!("XSECTION  1.30E+04  2212 2212 2 1000024 -1000024{newline}  0  1  0  0  0  0    2.0E+00  prospino 2.1{newline}"));
        text.push_str("DECAY 1000024 1.0E-02");
        if trailing_newline {
            text.push_str(newline);
        }
        text
    })
}

/// Values of this program's lines in a text, as (final state, order, σ).
fn read_back(text: &str) -> Vec<([i64; 2], u8, f64)> {
    let mut found = Vec::new();
    let mut state: Option<[i64; 2]> = None;
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.first() == Some(&"XSECTION") {
            state = Some([fields[5].parse().expect("pdg"), fields[6].parse().expect("pdg")]);
        } else if fields.len() >= 8 && fields[7] == PROGRAM {
            let order: u8 = fields[1].parse().expect("order");
            let sigma: f64 = fields[6].parse().expect("sigma");
            found.push((state.expect("line inside a block"), order, sigma));
        }
    }
    found.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    found
}

proptest! {
    #[test]
    fn append_is_idempotent(text in spectrum_text_strategy(), values in values_strategy()) {
        let once = append_to_slha(&text, &values, PROGRAM, "0.1.0");
        let twice = append_to_slha(&once, &values, PROGRAM, "0.1.0");
        prop_assert_eq!(&once, &twice);
        let original_without_end = text.trim_end_matches(['\r', '\n']);
        prop_assert!(once.starts_with(original_without_end));
        prop_assert!(once.contains("prospino 2.1"), "another program's line is kept");
    }

    #[test]
    fn written_values_read_back(text in spectrum_text_strategy(), values in values_strategy()) {
        let written = append_to_slha(&text, &values, PROGRAM, "0.1.0");
        let found = read_back(&written);
        prop_assert_eq!(found.len(), values.len());
        for value in &values {
            let matching = found.iter().find(|(pdg, order, _)| *pdg == value.pdg && *order == value.qcd_order);
            let (_, _, sigma) = matching.expect("value written");
            // Five digits after the point: relative rounding below 5e-6.
            prop_assert!((sigma / value.sigma_pb - 1.0).abs() < 5e-6);
        }
    }
}
