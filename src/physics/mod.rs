//! Exact leading-order cross sections, parton densities and tree-level spectra.
