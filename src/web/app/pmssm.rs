//! The pMSSM-parameter tab: soft parameters in, the 19 form inputs out,
//! taken from the tree-level spectrum.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{App, Msg};
use crate::record::COLUMNS;
use crate::web::form::{field_label, field_unit, form_csv};
use crate::web::pmssm::{fill_form, form_values, PMSSM_FIELDS};

/// Source name of the spectrum filled from pMSSM parameters, in the results
/// and exports.
pub(super) const PMSSM_SOURCE: &str = "pmssm-tree-level";

/// Note shown wherever values filled from the tree-level spectrum appear.
pub(super) const TREE_LEVEL_NOTE: &str =
    "Filled from the tree-level spectrum of the pMSSM parameters (no loop corrections, so masses differ from a spectrum generator's by a few per cent).";

impl App {
    /// Computes the tree-level spectrum of the typed parameters, fills the
    /// form from it and adds the spectrum to the results. An invalid input
    /// leaves the form unchanged and shows the message next to the fields.
    pub(super) fn compute_pmssm(&mut self, ctx: &Context<Self>) {
        match fill_form(&self.pmssm) {
            Ok((spectrum, form)) => {
                self.form = form;
                self.form_from_tree_level = true;
                self.pmssm_spectrum = Some(spectrum);
                self.pmssm_error = None;
                self.add_upload(PMSSM_SOURCE.to_string(), Some(form_csv(&self.form).into_bytes()));
                self.compute(ctx, false);
                self.status = "Form filled from the tree-level spectrum. Its cross sections are in the results.".into();
            }
            Err(message) => {
                self.pmssm_error = Some(message.clone());
                self.status = format!("pMSSM parameters: {message}");
            }
        }
    }

    pub(super) fn view_pmssm(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        html! {
            <>
            <form class="spectrum-form pmssm-form" onsubmit={link.callback(|event: SubmitEvent| { event.prevent_default(); Msg::PmssmCompute })}>
                <p class="help">{ "Computes the neutralinos, charginos, first- and second-generation squarks and the gluino at tree level from these parameters, fills the 19 inputs of the form from them and predicts the cross sections." }</p>
                <fieldset>
                    <legend>{ "pMSSM parameters" }</legend>
                    { for PMSSM_FIELDS.iter().enumerate().map(|(index, field)| {
                        let id = format!("pmssm-{}", field.id);
                        let on_input = link.callback(move |event: InputEvent| {
                            let input: HtmlInputElement = event.target_unchecked_into();
                            Msg::PmssmEdited(index, input.value())
                        });
                        html! {
                            <div class="field">
                                <label for={id.clone()}>{ field.label }</label>
                                <span class="input-with-unit">
                                    <input id={id} type="text" inputmode="decimal" value={self.pmssm[index].clone()} oninput={on_input}
                                        aria-describedby={self.pmssm_error.is_some().then_some("pmssm-error")} />
                                    <span class="unit">{ field.unit }</span>
                                </span>
                            </div>
                        }
                    }) }
                </fieldset>
                if let Some(message) = &self.pmssm_error {
                    <p id="pmssm-error" class="field-error" role="alert">{ message.clone() }</p>
                }
                <button type="submit" id="pmssm-compute">{ "Fill the form and compute" }</button>
            </form>
            { self.view_tree_level_values() }
            </>
        }
    }

    /// The 19 inputs of the last tree-level spectrum, labelled as such.
    fn view_tree_level_values(&self) -> Html {
        let Some(spectrum) = &self.pmssm_spectrum else { return html! {} };
        let values = form_values(spectrum);
        html! {
            <table class="tree-level-values">
                <caption>{ TREE_LEVEL_NOTE }</caption>
                <thead><tr><th scope="col">{ "input" }</th><th scope="col">{ "value" }</th></tr></thead>
                <tbody>
                    { for COLUMNS.iter().zip(values).map(|(column, value)| html! {
                        <tr data-column={column.name()}>
                            <th scope="row">{ field_label(*column) }<span class="column-name">{ format!(" ({})", column.name()) }</span></th>
                            <td class="num">{ format!("{value:.6} {}", field_unit(*column)) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        }
    }
}
