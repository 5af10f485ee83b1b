//! The `deepxs` command-line tool.

// Input errors carry their full location; see the library's note.
#![allow(clippy::result_large_err)]

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::run());
}

#[cfg(target_arch = "wasm32")]
fn main() {}
