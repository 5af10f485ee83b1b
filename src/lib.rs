//! deepxs: LO, K-factor and NLO cross sections for electroweakino pair
//! production at the LHC, following the DeepXS method (Otten, Rolbiecki,
//! Caron et al., Eur. Phys. J. C 80 (2020) 12).
//!
//! The core does no I/O, so it runs natively and as WebAssembly.
//! [`input::read_input`] turns the bytes of an SLHA, CSV or array file into
//! points, [`pipeline::WeightSet`] loads a network set from a manifest,
//! [`predict::predict`] computes a batch, and [`output`] formats results.

// Input errors carry their full location (144 bytes); they are made once per
// bad row or file, so boxing them would buy nothing measurable.
#![allow(clippy::result_large_err)]

pub mod checks;
pub mod embedded;
pub mod error;
pub mod expr;
pub mod gemm;
pub mod input;
pub mod manifest;
pub mod network;
pub mod output;
pub mod pair;
pub mod physics;
pub mod pipeline;
pub mod predict;
pub mod record;
pub mod slha;
pub mod spectrum;
#[cfg(not(target_arch = "wasm32"))]
pub mod train;
#[cfg(not(target_arch = "wasm32"))]
pub mod truth;
pub mod validate;
pub mod web;
pub mod xsection;

#[cfg(not(target_arch = "wasm32"))]
pub mod atomic_write;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli_lo;

/// Version of this crate, written into XSECTION blocks.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
