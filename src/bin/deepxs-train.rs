//! `deepxs-train`: labels points, trains LO and K networks and evaluates
//! network sets, writing the safetensors + manifest format that `deepxs`
//! loads. Native only, like the training module of the library.

#[cfg(not(target_arch = "wasm32"))]
mod train_app;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    train_app::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
