//! The results table of one input file.

use std::cmp::Ordering;

use yew::prelude::*;

use crate::predict::{PairPrediction, PointPrediction, Status};
use crate::web::batch::{format_sigma, FileResult, Unit};

/// Largest number of table rows drawn per file; exports hold every row.
pub const MAX_TABLE_ROWS: usize = 400;

/// Column the rows are sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Input order, pairs in their usual order.
    #[default]
    Input,
    Lo,
    K,
    Nlo,
}

/// Sort column and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    /// Returns the sort after a click on `key`'s header. The same key flips the direction.
    pub fn clicked(self, key: SortKey) -> Sort {
        if self.key == key {
            Sort { key, descending: !self.descending }
        } else {
            Sort { key, descending: key != SortKey::Input }
        }
    }

    fn compare(self, a: &(&PointPrediction, &PairPrediction), b: &(&PointPrediction, &PairPrediction)) -> Ordering {
        let value = |entry: &(&PointPrediction, &PairPrediction)| match self.key {
            SortKey::Input => None,
            SortKey::Lo => entry.1.lo_pb,
            SortKey::K => entry.1.k,
            SortKey::Nlo => entry.1.nlo_pb,
        };
        let ordering = match (value(a), value(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            // Rows without a value go last in either direction.
            (Some(_), None) => return Ordering::Less,
            (None, Some(_)) => return Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if self.descending {
            ordering.reverse()
        } else {
            ordering
        }
    }
}

/// Plain-language notes of a pair: the status when it has no numbers, then
/// each warning's message.
fn notes(prediction: &PairPrediction) -> Vec<String> {
    let mut notes = match &prediction.status {
        Status::Ok => Vec::new(),
        Status::NotComputable { missing } => vec![format!("Not computable: the input lacks {}.", missing.join(", "))],
        Status::Invalid { reason } => vec![format!("Invalid: {reason}.")],
    };
    notes.extend(prediction.warnings.iter().map(|warning| warning.message()));
    notes
}

fn uncertainty(prediction: &PairPrediction) -> String {
    match prediction.nlo_relative_uncertainty.or(prediction.lo_relative_uncertainty) {
        Some(spread) if spread > 0.0 => format!("±{:.2} %", spread * 100.0),
        Some(_) => "single network".to_string(),
        None => "–".to_string(),
    }
}

/// Properties of [`results_table`].
pub struct TableProps<'a> {
    pub file_name: &'a str,
    pub result: &'a FileResult,
    pub unit: Unit,
    pub sort: Sort,
    pub on_sort: Callback<SortKey>,
}

/// Draws the table of one file, one row per point and pair.
pub fn results_table(props: TableProps<'_>) -> Html {
    let TableProps { file_name, result, unit, sort, on_sort } = props;
    let mut rows: Vec<(&PointPrediction, &PairPrediction)> =
        result.predictions.iter().flat_map(|point| point.pairs.iter().map(move |pair| (point, pair))).collect();
    rows.sort_by(|a, b| sort.compare(a, b));
    let total = rows.len();
    rows.truncate(MAX_TABLE_ROWS);
    let tabular = result.slha_text.is_none();
    let symbol = unit.symbol();

    let header = |key: SortKey, text: String| {
        let on_sort = on_sort.clone();
        let state = match (sort.key == key, sort.descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        };
        html! {
            <th scope="col" aria-sort={state}>
                <button type="button" class="sort" onclick={Callback::from(move |_| on_sort.emit(key))}>{ text }</button>
            </th>
        }
    };

    html! {
        <>
        <table class="results" aria-label={format!("Cross sections for {file_name}")}>
            <thead>
                <tr>
                    if tabular { <th scope="col">{ "row" }</th> }
                    { header(SortKey::Input, "pair".to_string()) }
                    { header(SortKey::Lo, format!("σ_LO [{symbol}]")) }
                    { header(SortKey::K, "K".to_string()) }
                    { header(SortKey::Nlo, format!("σ_NLO [{symbol}]")) }
                    <th scope="col" title="relative spread of the network ensemble">{ "uncertainty" }</th>
                    <th scope="col">{ "notes" }</th>
                </tr>
            </thead>
            <tbody>
                { for rows.iter().map(|(point, prediction)| {
                    let notes = notes(prediction);
                    let raw = |value: Option<f64>| value.map(|value| format!("{value:e}")).unwrap_or_default();
                    html! {
                        <tr data-file={file_name.to_string()} data-row={point.row.to_string()} data-pair={prediction.pair.id()}>
                            if tabular { <td>{ point.row }</td> }
                            <th scope="row" title={prediction.pair.id()}>{ prediction.pair.label() }</th>
                            <td class="num lo" data-pb={raw(prediction.lo_pb)}>{ format_sigma(prediction.lo_pb, unit) }</td>
                            <td class="num k" data-value={raw(prediction.k)}>{ prediction.k.map(|k| format!("{k:.4}")).unwrap_or_else(|| "–".into()) }</td>
                            <td class="num nlo" data-pb={raw(prediction.nlo_pb)}>{ format_sigma(prediction.nlo_pb, unit) }</td>
                            <td class="num">{ uncertainty(prediction) }</td>
                            <td class="notes">
                                if !notes.is_empty() {
                                    <ul>{ for notes.iter().map(|note| html! { <li>{ note.clone() }</li> }) }</ul>
                                }
                            </td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
        if total > MAX_TABLE_ROWS {
            <p class="note">{ format!("Showing {MAX_TABLE_ROWS} of {total} rows; the exports contain all of them.") }</p>
        }
        </>
    }
}
