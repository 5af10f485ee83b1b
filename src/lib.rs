//! deepxs: LO, K-factor and NLO cross sections for electroweakino pair
//! production at the LHC, following the DeepXS method (Otten, Rolbiecki,
//! Caron et al., Eur. Phys. J. C 80 (2020) 12).

pub mod physics;
pub mod spectrum;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli_lo;
