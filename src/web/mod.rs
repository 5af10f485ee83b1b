//! The web calculator. `batch`, `form`, `pmssm` and `exact_lo` are plain
//! Rust shared with native tests; the Yew components and browser glue exist only on wasm32.

pub mod batch;
pub mod exact_lo;
pub mod form;
pub mod plot;
pub mod pmssm;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod chart;
#[cfg(target_arch = "wasm32")]
mod results;

/// Mounts the calculator on the page's body.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
