//! Formatting predictions as a table, CSV, JSON or SLHA XSECTION blocks.

use serde_json::{json, Value};

use crate::predict::{Order, PairPrediction, PointPrediction, Status};
use crate::xsection::{format_blocks, XsectionValue, NETWORK_LO_PDF_ID, NETWORK_NLO_PDF_ID};

/// Centre-of-mass energy of the networks' training data in GeV.
pub const NETWORK_SQRTS_GEV: f64 = 13000.0;

/// Header of the long-format CSV output.
pub const CSV_HEADER: &str = "source,row,pair,lo_pb,k,nlo_pb,warnings";

/// Header of the CSV output with ensemble uncertainties.
pub const CSV_HEADER_WITH_UNCERTAINTY: &str =
    "source,row,pair,lo_pb,k,nlo_pb,lo_rel_unc,k_rel_unc,nlo_rel_unc,warnings";

/// Quotes a CSV field when it contains a comma, a quote or a line break.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn number(value: Option<f64>) -> String {
    value.map(|value| format!("{value:e}")).unwrap_or_default()
}

/// The warnings column: warning codes joined by `;`, preceded by the
/// status for a pair without numbers.
fn status_and_warnings(prediction: &PairPrediction) -> String {
    let mut parts: Vec<String> = match &prediction.status {
        Status::Ok => Vec::new(),
        Status::NotComputable { missing } => vec![format!("not_computable: missing {}", missing.join(" "))],
        Status::Invalid { reason } => vec![format!("invalid: {reason}")],
    };
    parts.extend(prediction.warnings.iter().map(|warning| warning.code().to_string()));
    parts.join(";")
}

/// CSV rows (without header), one per point and pair.
pub fn csv_rows(predictions: &[PointPrediction], with_uncertainty: bool) -> String {
    let mut text = String::new();
    for point in predictions {
        for prediction in &point.pairs {
            text.push_str(&csv_field(&point.source));
            text.push_str(&format!(",{},{},", point.row, prediction.pair.id()));
            text.push_str(&format!("{},{},{}", number(prediction.lo_pb), number(prediction.k), number(prediction.nlo_pb)));
            if with_uncertainty {
                text.push_str(&format!(
                    ",{},{},{}",
                    number(prediction.lo_relative_uncertainty),
                    number(prediction.k_relative_uncertainty),
                    number(prediction.nlo_relative_uncertainty)
                ));
            }
            text.push(',');
            text.push_str(&csv_field(&status_and_warnings(prediction)));
            text.push('\n');
        }
    }
    text
}

/// One pair's JSON object, with warning messages spelled out.
pub fn pair_json(prediction: &PairPrediction) -> Value {
    let mut object = serde_json::to_value(prediction).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut object {
        map.insert("label".into(), json!(prediction.pair.label()));
        let warnings: Vec<Value> = prediction
            .warnings
            .iter()
            .map(|warning| {
                let mut value = serde_json::to_value(warning).unwrap_or(Value::Null);
                if let Value::Object(fields) = &mut value {
                    fields.insert("message".into(), json!(warning.message()));
                }
                value
            })
            .collect();
        map.insert("warnings".into(), Value::Array(warnings));
    }
    object
}

/// JSON array of points, each with its pairs.
pub fn json(predictions: &[PointPrediction]) -> Value {
    Value::Array(
        predictions
            .iter()
            .map(|point| {
                json!({
                    "source": point.source,
                    "row": point.row,
                    "pairs": point.pairs.iter().map(pair_json).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// Header of the text table; `± NLO [%]` follows `NLO [pb]` with uncertainties.
const TABLE_HEADER: [&str; 7] = ["source", "row", "pair", "LO [pb]", "K", "NLO [pb]", "notes"];

/// Formats a plain-text table for people. With `with_uncertainty`, a column
/// after σ_NLO gives the ensemble spread of σ_NLO in percent, or "-" for a
/// set of single networks.
pub fn table(predictions: &[PointPrediction], with_uncertainty: bool) -> String {
    let mut header: Vec<String> = TABLE_HEADER.map(str::to_string).to_vec();
    if with_uncertainty {
        header.insert(6, "± NLO [%]".into());
    }
    let mut rows: Vec<Vec<String>> = vec![header];
    for point in predictions {
        for prediction in &point.pairs {
            let format = |value: Option<f64>, digits: usize| value.map(|v| format!("{v:.digits$e}")).unwrap_or_else(|| "-".into());
            let mut row = vec![
                point.source.clone(),
                point.row.to_string(),
                prediction.pair.id().to_string(),
                format(prediction.lo_pb, 5),
                prediction.k.map(|k| format!("{k:.5}")).unwrap_or_else(|| "-".into()),
                format(prediction.nlo_pb, 5),
                status_and_warnings(prediction),
            ];
            if with_uncertainty {
                // A set of single networks has no spread. A dash marks that, because
                // 0 would read as an exact value.
                let spread = prediction
                    .nlo_relative_uncertainty
                    .filter(|u| *u > 0.0)
                    .map(|u| format!("{:.3}", 100.0 * u))
                    .unwrap_or_else(|| "-".into());
                row.insert(6, spread);
            }
            rows.push(row);
        }
    }
    let mut widths = vec![0usize; rows[0].len()];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in &rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

/// XSECTION values of one point for the requested orders (valid pairs only).
pub fn xsection_values(point: &PointPrediction, order: Order) -> Vec<XsectionValue> {
    let mut values = Vec::new();
    for prediction in point.pairs.iter().filter(|prediction| prediction.status == Status::Ok) {
        let pdg = prediction.pair.pdg();
        if let (true, Some(sigma_pb)) = (order.includes_lo(), prediction.lo_pb) {
            values.push(XsectionValue { pdg, sqrts_gev: NETWORK_SQRTS_GEV, qcd_order: 0, pdf_id: NETWORK_LO_PDF_ID, sigma_pb });
        }
        if let (true, Some(sigma_pb)) = (order.includes_nlo(), prediction.nlo_pb) {
            values.push(XsectionValue { pdg, sqrts_gev: NETWORK_SQRTS_GEV, qcd_order: 1, pdf_id: NETWORK_NLO_PDF_ID, sigma_pb });
        }
    }
    values
}

/// XSECTION blocks of every point, each preceded by a comment naming its source.
pub fn slha(predictions: &[PointPrediction], order: Order) -> String {
    let mut text = String::new();
    for point in predictions {
        text.push_str(&format!("# {} row {}\n", point.source, point.row));
        text.push_str(&format_blocks(&xsection_values(point, order), crate::xsection::PROGRAM, crate::VERSION));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pair::Pair;
    use crate::predict::PairPrediction;

    fn prediction() -> Vec<PointPrediction> {
        let pair = PairPrediction {
            pair: Pair::C1c1,
            status: Status::Ok,
            lo_pb: Some(1.25),
            k: Some(1.3),
            nlo_pb: Some(1.625),
            lo_relative_uncertainty: Some(0.001),
            k_relative_uncertainty: Some(0.002),
            nlo_relative_uncertainty: Some(0.00225),
            warnings: Vec::new(),
        };
        vec![PointPrediction { source: "a.slha".into(), row: 0, pairs: vec![pair] }]
    }

    #[test]
    fn table_uncertainty_column() {
        let plain = table(&prediction(), false);
        assert!(!plain.contains("± NLO"), "{plain}");
        let with = table(&prediction(), true);
        let lines: Vec<&str> = with.lines().collect();
        let header: Vec<&str> = lines[0].split("  ").map(str::trim).filter(|cell| !cell.is_empty()).collect();
        assert_eq!(header[5..], ["NLO [pb]", "± NLO [%]", "notes"], "{with}");
        let cells: Vec<&str> = lines[1].split_whitespace().collect();
        assert_eq!(cells[5..], ["1.62500e0", "0.225"], "{with}");
    }
}
