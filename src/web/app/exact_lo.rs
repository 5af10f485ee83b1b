//! The exact-LO tab: an LHAPDF6 set chosen in the page, √s, and σ_LO of
//! all 29 pairs for one spectrum (an uploaded SLHA file or the tree-level
//! spectrum of the pMSSM tab).

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::pmssm::TREE_LEVEL_NOTE;
use super::{App, Msg};
use crate::physics::{LoCrossSection, PdfSet};
use crate::spectrum::Spectrum;
use crate::web::batch::{format_sigma, read_file, Unit};
use crate::web::browser;
use crate::web::exact_lo::{all_pairs_lo, parse_sqrt_s, pair_label, pdf_from_files};

/// Value of the spectrum choice that selects the pMSSM tree-level spectrum.
const TREE_LEVEL_CHOICE: &str = "tree-level";

/// State of the exact-LO tab.
pub(super) struct ExactLoState {
    /// The loaded set and its description, or the reason it is missing.
    pub pdf: Result<(Rc<PdfSet>, String), String>,
    /// √s in GeV as typed.
    pub sqrt_s: String,
    /// Chosen spectrum: [`TREE_LEVEL_CHOICE`] or `upload-<id>`, or empty for the first one offered.
    pub source: String,
    pub result: Option<LoResult>,
    pub error: Option<String>,
}

/// σ_LO of the 29 pairs of one spectrum, with what it was computed from.
pub(super) struct LoResult {
    pub title: String,
    pub from_tree_level: bool,
    pub rows: Vec<LoCrossSection>,
}

impl ExactLoState {
    pub(super) fn new() -> Self {
        ExactLoState {
            pdf: Err("no LHAPDF6 set loaded".into()),
            sqrt_s: crate::web::exact_lo::DEFAULT_SQRT_S_GEV.into(),
            source: String::new(),
            result: None,
            error: None,
        }
    }
}

impl App {
    /// Spectra the tab offers: (choice value, label), uploads first.
    fn lo_choices(&self) -> Vec<(String, String)> {
        let mut choices: Vec<(String, String)> = self
            .uploads
            .iter()
            .filter(|upload| upload.bytes.is_some())
            .map(|upload| (format!("upload-{}", upload.id), upload.name.clone()))
            .collect();
        if self.pmssm_spectrum.is_some() {
            choices.push((TREE_LEVEL_CHOICE.into(), "tree-level spectrum of the pMSSM tab".into()));
        }
        choices
    }

    /// Returns the chosen spectrum, its name and whether it is the tree-level
    /// spectrum, or a message.
    fn lo_spectrum(&self) -> Result<(Spectrum, String, bool), String> {
        let choices = self.lo_choices();
        let choice = if self.exact_lo.source.is_empty() || !choices.iter().any(|(value, _)| *value == self.exact_lo.source) {
            choices.first().map(|(value, _)| value.clone())
        } else {
            Some(self.exact_lo.source.clone())
        };
        let Some(choice) = choice else {
            return Err("No spectrum: upload an SLHA file in the Files tab or fill the form in the pMSSM tab first.".into());
        };
        if choice == TREE_LEVEL_CHOICE {
            let spectrum = self.pmssm_spectrum.clone().ok_or("No tree-level spectrum: fill the form in the pMSSM tab first.")?;
            return Ok((spectrum, "the tree-level spectrum of the pMSSM tab".into(), true));
        }
        let upload = self
            .uploads
            .iter()
            .find(|upload| format!("upload-{}", upload.id) == choice)
            .ok_or("The chosen file was removed; choose another spectrum.")?;
        let bytes = upload.bytes.as_ref().ok_or_else(|| format!("{} is still being read.", upload.name))?;
        let file = read_file(&upload.name, bytes)?;
        let spectrum = file.points.first().and_then(|point| point.spectrum.clone()).ok_or_else(|| {
            format!(
                "{} has no complete spectrum: exact LO needs an SLHA file with the masses and mixing of all neutralinos and charginos, the eight first- and second-generation squarks and the gluino.",
                upload.name
            )
        })?;
        Ok((spectrum, upload.name.clone(), false))
    }

    /// Reads the LHAPDF6 files chosen in the picker.
    pub(super) fn load_pdf_files(&mut self, files: Vec<(String, Result<Vec<u8>, String>)>) {
        let mut contents = Vec::new();
        for (name, bytes) in files {
            match bytes {
                Ok(bytes) => contents.push((name, bytes)),
                Err(message) => {
                    self.exact_lo.pdf = Err(message);
                    return;
                }
            }
        }
        self.exact_lo.pdf = pdf_from_files(&contents).map(|(pdf, description)| (Rc::new(pdf), description));
        self.exact_lo.result = None;
        self.status = match &self.exact_lo.pdf {
            Ok((_, description)) => format!("LHAPDF6 set {description} loaded."),
            Err(message) => format!("LHAPDF6 set not loaded: {message}"),
        };
    }

    /// Computes σ_LO of all 29 pairs for the chosen spectrum.
    pub(super) fn compute_exact_lo(&mut self) {
        let outcome = (|| -> Result<LoResult, String> {
            let (pdf, description) = self.exact_lo.pdf.as_ref().map_err(|message| format!("Load an LHAPDF6 set first ({message})."))?;
            let sqrt_s_gev = parse_sqrt_s(&self.exact_lo.sqrt_s)?;
            let (spectrum, source, from_tree_level) = self.lo_spectrum()?;
            let rows = all_pairs_lo(pdf, sqrt_s_gev, &spectrum).map_err(|message| format!("{source}: {message}"))?;
            let title = format!("σ_LO at √s = {sqrt_s_gev} GeV with {description}, spectrum from {source}");
            Ok(LoResult { title, from_tree_level, rows })
        })();
        match outcome {
            Ok(result) => {
                self.status = "Exact LO computed for 29 pairs.".into();
                self.exact_lo.result = Some(result);
                self.exact_lo.error = None;
            }
            Err(message) => {
                self.status = format!("Exact LO: {message}");
                self.exact_lo.error = Some(message);
            }
        }
    }

    pub(super) fn view_exact_lo(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let state = &self.exact_lo;
        let on_pick = link.callback(|event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let files = browser::files_of(input.files());
            input.set_value("");
            Msg::PdfFilesPicked(files)
        });
        let on_sqrt_s = link.callback(|event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            Msg::LoSqrtS(input.value())
        });
        let on_source = link.callback(|event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            Msg::LoSource(select.value())
        });
        let (pdf_class, pdf_text) = match &state.pdf {
            Ok((_, description)) => ("ok", format!("LHAPDF6 set {description}.")),
            Err(message) => ("missing", format!("No LHAPDF6 set: {message}.")),
        };
        let choices = self.lo_choices();
        html! {
            <>
            <form class="spectrum-form lo-form" onsubmit={link.callback(|event: SubmitEvent| { event.prevent_default(); Msg::LoCompute })}>
                <p class="help">{ "Computes σ_LO of all 29 neutralino and chargino pairs with the parton densities of an LHAPDF6 set: with every squark at its own mass, and with all eight at one common mass, about their mean (degenerate, the denominator of the K factor)." }</p>
                <p id="pdf-state" class={classes!("weights-state", pdf_class)}>{ pdf_text }</p>
                <label for="pdf-input" class="button">{ "Load an LHAPDF6 set…" }</label>
                <input id="pdf-input" class="visually-hidden" type="file" multiple=true accept=".info,.dat" onchange={on_pick}
                    aria-describedby="pdf-help" />
                <span id="pdf-help" class="help">{ " Choose the set's .info file together with its central member, <name>_0000.dat." }</span>
                <div class="field">
                    <label for="lo-sqrts">{ "√s" }</label>
                    <span class="input-with-unit">
                        <input id="lo-sqrts" type="text" inputmode="decimal" value={state.sqrt_s.clone()} oninput={on_sqrt_s} />
                        <span class="unit">{ "GeV" }</span>
                    </span>
                </div>
                <div class="field">
                    <label for="lo-source">{ "Spectrum" }</label>
                    if choices.is_empty() {
                        <span class="note">{ "Upload an SLHA file in the Files tab or fill the form in the pMSSM tab first." }</span>
                    } else {
                        <select id="lo-source" onchange={on_source}>
                            { for choices.iter().map(|(value, label)| html! {
                                <option value={value.clone()} selected={*value == state.source}>{ label.clone() }</option>
                            }) }
                        </select>
                    }
                </div>
                if let Some(message) = &state.error {
                    <p id="lo-error" class="field-error" role="alert">{ message.clone() }</p>
                }
                <button type="submit" id="lo-compute">{ "Compute exact LO" }</button>
            </form>
            { self.view_lo_result(ctx) }
            </>
        }
    }

    fn view_lo_result(&self, ctx: &Context<Self>) -> Html {
        let Some(result) = &self.exact_lo.result else { return html! {} };
        let link = ctx.link();
        let unit_radio = |unit: Unit| {
            html! {
                <label>
                    <input type="radio" name="lo-unit" value={unit.symbol()} checked={self.unit == unit}
                        onchange={link.callback(move |_| Msg::SetUnit(unit))} />
                    { unit.symbol() }
                </label>
            }
        };
        let symbol = self.unit.symbol();
        html! {
            <section class="lo-results-section">
                <fieldset class="unit-choice"><legend>{ "Unit" }</legend>{ unit_radio(Unit::Picobarn) }{ unit_radio(Unit::Femtobarn) }</fieldset>
                if result.from_tree_level {
                    <p class="note">{ TREE_LEVEL_NOTE }</p>
                }
                <table class="results lo-results">
                    <caption>{ result.title.clone() }</caption>
                    <thead><tr>
                        <th scope="col">{ "pair" }</th>
                        <th scope="col">{ format!("σ_LO [{symbol}]") }</th>
                        <th scope="col">{ format!("σ_LO degenerate squarks [{symbol}]") }</th>
                    </tr></thead>
                    <tbody>
                        { for result.rows.iter().map(|row| html! {
                            <tr data-pair={row.pair.to_string()}>
                                <th scope="row">{ pair_label(row.pair) }<span class="column-name">{ format!(" ({})", row.pair) }</span></th>
                                <td class="num lo" data-pb={format!("{:e}", row.lo_pb)}>{ format_sigma(Some(row.lo_pb), self.unit) }</td>
                                <td class="num lo-degenerate" data-pb={format!("{:e}", row.lo_degenerate_pb)}>{ format_sigma(Some(row.lo_degenerate_pb), self.unit) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </section>
        }
    }
}
