//! SVG charts of σ against a mass, drawn by the app itself.

use yew::prelude::*;

use crate::web::plot::{Axes, Series, BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH};

/// Colours of the four pairs, readable on light and dark backgrounds.
const PALETTE: [&str; 4] = ["#d1495b", "#2e86ab", "#e0a100", "#3f9c35"];

/// Draws a chart with a log y axis in pb, or a note when nothing is positive.
pub fn chart(title: &str, x_label: &str, series: &[Series]) -> Html {
    let Some(axes) = Axes::fit(series) else {
        return html! { <p class="note">{ format!("{title}: no positive cross section to plot.") }</p> };
    };
    let plot_bottom = HEIGHT - BOTTOM;
    html! {
        <figure class="chart">
            <svg viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img" aria-label={title.to_string()}>
                <rect x={LEFT.to_string()} y={TOP.to_string()} width={(WIDTH - LEFT - RIGHT).to_string()}
                    height={(HEIGHT - TOP - BOTTOM).to_string()} class="plot-area" />
                { for axes.x_ticks().into_iter().map(|tick| {
                    let x = axes.x(tick);
                    html! {
                        <g class="tick">
                            <line x1={x.to_string()} x2={x.to_string()} y1={TOP.to_string()} y2={plot_bottom.to_string()} />
                            <text x={x.to_string()} y={(plot_bottom + 18.0).to_string()} text-anchor="middle">{ format!("{tick}") }</text>
                        </g>
                    }
                }) }
                { for axes.y_ticks().into_iter().map(|decade| {
                    let y = axes.y(10f64.powi(decade));
                    html! {
                        <g class="tick">
                            <line x1={LEFT.to_string()} x2={(WIDTH - RIGHT).to_string()} y1={y.to_string()} y2={y.to_string()} />
                            <text x={(LEFT - 6.0).to_string()} y={(y + 4.0).to_string()} text-anchor="end">{ format!("1e{decade}") }</text>
                        </g>
                    }
                }) }
                <text class="axis-label" x={((LEFT + WIDTH - RIGHT) / 2.0).to_string()} y={(HEIGHT - 8.0).to_string()} text-anchor="middle">{ x_label.to_string() }</text>
                <text class="axis-label" x="14" y={((TOP + plot_bottom) / 2.0).to_string()} text-anchor="middle"
                    transform={format!("rotate(-90 14 {})", (TOP + plot_bottom) / 2.0)}>{ "σ [pb]" }</text>
                { for series.iter().map(|series| draw_series(&axes, series)) }
            </svg>
            <figcaption class="legend">
                { for series.iter().map(|series| html! {
                    <span class="legend-entry">
                        <svg width="24" height="10" aria-hidden="true">
                            <line x1="0" x2="24" y1="5" y2="5" stroke={PALETTE[series.colour % PALETTE.len()]} stroke-width="3"
                                stroke-dasharray={series.dashed.then_some("4 3")} />
                        </svg>
                        { series.label.clone() }
                    </span>
                }) }
            </figcaption>
        </figure>
    }
}

fn draw_series(axes: &Axes, series: &Series) -> Html {
    let colour = PALETTE[series.colour % PALETTE.len()];
    let visible: Vec<(f64, f64)> =
        series.points.iter().copied().filter(|(x, y)| x.is_finite() && y.is_finite() && *y > 0.0).map(|(x, y)| (axes.x(x), axes.y(y))).collect();
    if series.line {
        let points: Vec<String> = visible.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        html! {
            <polyline points={points.join(" ")} fill="none" stroke={colour} stroke-width="2"
                stroke-dasharray={series.dashed.then_some("6 4")} />
        }
    } else {
        html! {
            <g fill={colour}>
                { for visible.iter().map(|(x, y)| html! { <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="3" /> }) }
            </g>
        }
    }
}
