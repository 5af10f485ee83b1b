//! Views of the calculator page: network set, inputs, form, scan,
//! results and the batch plot.

use web_sys::{DragEvent, HtmlInputElement};
use yew::prelude::*;

use super::pmssm::{PMSSM_SOURCE, TREE_LEVEL_NOTE};
use super::{App, Job, Msg, PlotAxis, WeightsState};
use crate::record::{Column, COLUMNS};
use crate::web::batch::{FileOutcome, Unit};
use crate::web::browser;
use crate::web::chart::chart;
use crate::web::form::{field_label, field_unit, validate_field, FIELD_GROUPS, PRESETS};
use crate::web::results::{results_table, TableProps};

impl App {
    pub(super) fn view_weights(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let on_pick = link.callback(|event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let files = browser::files_of(input.files());
            input.set_value("");
            Msg::WeightFilesPicked(files)
        });
        let (state, text) = match &self.weights {
            WeightsState::Loaded { weights, origin, .. } => {
                let description: String = weights.description.chars().take(240).collect();
                ("ok", format!("Network set {origin}. {description}"))
            }
            WeightsState::Missing(message) => ("missing", format!("No network set: {message}. Load one below.")),
        };
        html! {
            <section class="weights" aria-labelledby="weights-heading">
                <h2 id="weights-heading">{ "Network set" }</h2>
                <p id="weights-state" class={classes!("weights-state", state)}>{ text }</p>
                <label for="weights-input" class="button">{ "Load a network set…" }</label>
                <input id="weights-input" class="visually-hidden" type="file" multiple=true accept=".json,.safetensors" onchange={on_pick}
                    aria-describedby="weights-help" />
                <span id="weights-help" class="help">{ " Choose manifest.json together with all of its .safetensors files." }</span>
                if self.embedded_available {
                    <button type="button" onclick={link.callback(|_| Msg::UseEmbedded)}>{ "Use the embedded set" }</button>
                }
            </section>
        }
    }

    pub(super) fn view_drop_zone(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let on_pick = link.callback(|event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let files = browser::files_of(input.files());
            input.set_value("");
            Msg::InputsPicked(files)
        });
        let on_drop = link.callback(|event: DragEvent| {
            event.prevent_default();
            Msg::InputsPicked(browser::files_of(event.data_transfer().and_then(|transfer| transfer.files())))
        });
        let on_drag_over = link.callback(|event: DragEvent| {
            event.prevent_default();
            Msg::DragActive(true)
        });
        let on_drag_leave = link.callback(|_: DragEvent| Msg::DragActive(false));
        html! {
            <div class={classes!("drop-zone", self.drag_active.then_some("active"))}
                ondrop={on_drop} ondragover={on_drag_over} ondragleave={on_drag_leave}>
                <p>{ "Drop SLHA spectrum files or CSV tables (canonical columns U11 … m_gluino) here, or " }</p>
                <label for="inputs-input" class="button">{ "Choose input files…" }</label>
                <input id="inputs-input" class="visually-hidden" type="file" multiple=true onchange={on_pick} />
            </div>
        }
    }

    pub(super) fn view_form(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let on_preset = link.callback(|event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            Msg::FormPreset(select.value().parse().unwrap_or(0))
        });
        html! {
            <>
            <form class="spectrum-form" onsubmit={link.callback(|event: SubmitEvent| { event.prevent_default(); Msg::FormCompute })}>
                <label for="preset">{ "Preset: " }</label>
                <select id="preset" onchange={on_preset}>
                    { for PRESETS.iter().enumerate().map(|(index, preset)| html! { <option value={index.to_string()} selected={index == self.preset}>{ preset.label }</option> }) }
                </select>
                <p class="help">{ "The presets are hand-made illustrative points, not spectrum-generator output." }</p>
                if self.form_from_tree_level {
                    <p id="form-origin" class="note">{ TREE_LEVEL_NOTE }</p>
                }
                { for FIELD_GROUPS.iter().map(|(title, columns)| html! {
                    <fieldset>
                        <legend>{ *title }</legend>
                        { for columns.iter().map(|&column| {
                            let text = self.form[column.index()].clone();
                            let error = validate_field(column, &text).err();
                            let id = format!("field-{}", column.name());
                            let error_id = format!("{id}-error");
                            let on_input = link.callback(move |event: InputEvent| {
                                let input: HtmlInputElement = event.target_unchecked_into();
                                Msg::FormEdited(column, input.value())
                            });
                            html! {
                                <div class="field">
                                    <label for={id.clone()}>{ field_label(column) }<span class="column-name">{ format!(" ({})", column.name()) }</span></label>
                                    <span class="input-with-unit">
                                        <input id={id} name={column.name()} type="text" inputmode="decimal" value={text}
                                            oninput={on_input} aria-invalid={error.is_some().to_string()}
                                            aria-describedby={error.is_some().then(|| error_id.clone())} />
                                        <span class="unit">{ field_unit(column) }</span>
                                    </span>
                                    if let Some(message) = error {
                                        <span id={error_id} class="field-error">{ message }</span>
                                    }
                                </div>
                            }
                        }) }
                    </fieldset>
                }) }
                <button type="submit" id="form-compute">{ "Compute" }</button>
            </form>
            { self.view_scan(ctx) }
            </>
        }
    }

    pub(super) fn view_scan(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let on_column = link.callback(|event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            Msg::ScanColumn(Column::from_name(&select.value()).unwrap_or(Column::MChi1pm))
        });
        let text_input = |id: &str, label: &str, value: &str, message: fn(String) -> Msg| {
            let on_input = link.callback(move |event: InputEvent| {
                let input: HtmlInputElement = event.target_unchecked_into();
                message(input.value())
            });
            html! {
                <span class="field">
                    <label for={id.to_string()}>{ label.to_string() }</label>
                    <input id={id.to_string()} type="text" inputmode="decimal" value={value.to_string()} oninput={on_input} />
                </span>
            }
        };
        html! {
            <section class="scan" aria-labelledby="scan-heading">
                <h2 id="scan-heading">{ "Scan one input" }</h2>
                <p class="help">{ "Varies one input of the spectrum above over a range and draws LO (dashed) and NLO (solid) for the four pairs." }</p>
                <form class="scan-form" onsubmit={link.callback(|event: SubmitEvent| { event.prevent_default(); Msg::RunScan })}>
                    <span class="field">
                        <label for="scan-column">{ "Input" }</label>
                        <select id="scan-column" onchange={on_column}>
                            { for COLUMNS.iter().map(|column| html! {
                                <option value={column.name()} selected={*column == self.scan.column}>{ format!("{} ({})", field_label(*column), column.name()) }</option>
                            }) }
                        </select>
                    </span>
                    { text_input("scan-from", "from", &self.scan.from, Msg::ScanFrom) }
                    { text_input("scan-to", "to", &self.scan.to, Msg::ScanTo) }
                    { text_input("scan-steps", "steps", &self.scan.steps, Msg::ScanSteps) }
                    <button type="submit" id="scan-run">{ "Scan" }</button>
                </form>
                if let Some((title, series)) = &self.scan_result {
                    { chart(title, &format!("{} {}", field_label(self.scan.column), field_unit(self.scan.column)), series) }
                }
            </section>
        }
    }

    pub(super) fn view_batch_plot(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let series = self.batch_series();
        if series.iter().all(|series| series.points.is_empty()) {
            return html! {};
        }
        let axis_radio = |axis: PlotAxis, label: &str| {
            html! {
                <label>
                    <input type="radio" name="plot-axis" checked={self.plot_axis == axis} onchange={link.callback(move |_| Msg::SetPlotAxis(axis))} />
                    { label.to_string() }
                </label>
            }
        };
        let x_label = match self.plot_axis {
            PlotAxis::Chargino => "m(χ̃±₁) [GeV]",
            PlotAxis::Neutralino => "|m(χ̃⁰₂)| [GeV]",
        };
        html! {
            <section class="batch-plot" aria-labelledby="plot-heading">
                <h2 id="plot-heading">{ "σ_NLO of the batch" }</h2>
                <fieldset class="unit-choice"><legend>{ "x axis" }</legend>
                    { axis_radio(PlotAxis::Chargino, "m(χ̃±₁)") }{ axis_radio(PlotAxis::Neutralino, "m(χ̃⁰₂)") }
                </fieldset>
                { chart(&format!("σ_NLO against {x_label}"), x_label, &series) }
            </section>
        }
    }

    pub(super) fn view_results(&self, ctx: &Context<Self>) -> Html {
        if self.uploads.is_empty() {
            return html! {};
        }
        let link = ctx.link();
        let unit_radio = |unit: Unit| {
            html! {
                <label>
                    <input type="radio" name="unit" value={unit.symbol()} checked={self.unit == unit}
                        onchange={link.callback(move |_| Msg::SetUnit(unit))} />
                    { unit.symbol() }
                </label>
            }
        };
        let on_uncertainty = link.callback(|event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            Msg::SetUncertaintyColumns(input.checked())
        });
        let on_sort = link.callback(Msg::SetSort);
        html! {
            <section class="results-section" aria-labelledby="results-heading">
                <h2 id="results-heading">{ "Results" }</h2>
                <div class="toolbar">
                    <fieldset class="unit-choice"><legend>{ "Unit" }</legend>{ unit_radio(Unit::Picobarn) }{ unit_radio(Unit::Femtobarn) }</fieldset>
                    <button type="button" id="export-csv" onclick={link.callback(|_| Msg::ExportCsv)}>{ "Export CSV" }</button>
                    <button type="button" id="export-json" onclick={link.callback(|_| Msg::ExportJson)}>{ "Export JSON" }</button>
                    <button type="button" id="copy-csv" onclick={link.callback(|_| Msg::CopyCsv)}>{ "Copy CSV" }</button>
                    <label><input type="checkbox" checked={self.uncertainty_columns} onchange={on_uncertainty} />{ " uncertainty columns in CSV" }</label>
                    <button type="button" onclick={link.callback(|_| Msg::ClearInputs)}>{ "Clear" }</button>
                </div>
                { for self.uploads.iter().map(|upload| {
                    let id = upload.id;
                    let body = match (&upload.read_error, &upload.outcome, &upload.bytes) {
                        (Some(message), _, _) => html! { <p class="file-error" role="alert">{ message.clone() }</p> },
                        (None, Some(FileOutcome::Failed(message)), _) => html! { <p class="file-error" role="alert">{ message.clone() }</p> },
                        (None, Some(FileOutcome::Computed(result)), _) => html! {
                            <>
                            if !result.row_errors.is_empty() {
                                <ul class="row-errors" aria-label="rows that could not be read">
                                    { for result.row_errors.iter().map(|message| html! { <li>{ message.clone() }</li> }) }
                                </ul>
                            }
                            { results_table(TableProps { file_name: &upload.name, result, unit: self.unit, sort: self.sort, on_sort: on_sort.clone() }) }
                            if result.slha_text.is_some() {
                                <button type="button" class="download-slha" onclick={link.callback(move |_| Msg::DownloadSlha(id))}>
                                    { "Download SLHA with XSECTION blocks" }
                                </button>
                            }
                            </>
                        },
                        (None, None, Some(_)) => match &self.job {
                            Some(job) if job.upload_id == id => html! {
                                <p class="progress">
                                    <label for={format!("progress-{id}")}>{ job_progress(job) }</label>
                                    <progress id={format!("progress-{id}")} max={job.parts.total_points().max(1).to_string()} value={job.parts.done_points().to_string()} />
                                    <button type="button" id="cancel-job" onclick={link.callback(|_| Msg::CancelJob)}>{ "Cancel" }</button>
                                </p>
                            },
                            Some(_) => html! { <p class="note">{ "Waiting for the file above to finish." }</p> },
                            None => html! { <p class="note">{ "Waiting for a network set." }</p> },
                        },
                        (None, None, None) => html! { <p class="note">{ "Reading…" }</p> },
                    };
                    let failed = upload.read_error.is_some() || matches!(upload.outcome, Some(FileOutcome::Failed(_)));
                    html! {
                        <article class={classes!("file", failed.then_some("failed"))} data-file={upload.name.clone()}>
                            <h3>{ upload.name.clone() }
                                <button type="button" class="remove" aria-label={format!("Remove {}", upload.name)}
                                    onclick={link.callback(move |_| Msg::RemoveInput(id))}>{ "×" }</button>
                            </h3>
                            if upload.name == PMSSM_SOURCE {
                                <p class="note">{ TREE_LEVEL_NOTE }</p>
                            }
                            { body }
                        </article>
                    }
                }) }
                { self.view_batch_plot(ctx) }
            </section>
        }
    }
}

/// Label of a running job's progress bar.
fn job_progress(job: &Job) -> String {
    let workers = match job.parts.parts() {
        1 => "the background worker".to_string(),
        parts => format!("{parts} background workers"),
    };
    if job.parts.is_read() {
        format!("Computing {} of {} points in {workers} ", job.parts.done_points(), job.parts.total_points())
    } else {
        format!("Reading the file in {workers}… ")
    }
}
