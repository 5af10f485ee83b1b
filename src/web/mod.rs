//! The web calculator. `assembly`, `batch`, `batch_job`, `file_parts`,
//! `form`, `pmssm`, `exact_lo`, `network_files` and `worker_protocol` are
//! plain Rust, so native tests cover them. The Yew components, the batch
//! worker and the browser glue exist only on wasm32.

pub mod assembly;
pub mod batch;
pub mod batch_job;
pub mod exact_lo;
pub mod file_parts;
pub mod form;
pub mod network_files;
pub mod plot;
pub mod pmssm;
pub mod worker_protocol;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod chart;
#[cfg(target_arch = "wasm32")]
mod results;
#[cfg(target_arch = "wasm32")]
pub mod worker;

/// Mounts the calculator on the page's body.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
