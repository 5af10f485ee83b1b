//! Exact leading-order cross sections, parton densities and tree-level spectra.

pub mod couplings;
pub mod lhapdf;
pub mod lo;
pub mod pairs;
pub mod partonic;
pub mod quadrature;
pub mod treelevel;

pub use lhapdf::{Parton, PdfError, PdfSet, PdfSlice};
pub use lo::{LoCrossSection, LoEngine, LoError};
pub use pairs::{Pair, PairParseError};
