//! The four electroweakino pairs that the DeepXS networks cover.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A final state predicted by the networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pair {
    /// χ̃⁺₁χ̃⁻₁
    C1c1,
    /// χ̃⁰₂χ̃⁰₂
    N2n2,
    /// χ̃⁰₂χ̃⁺₁
    N2c1p,
    /// χ̃⁰₂χ̃⁻₁
    N2c1m,
}

/// All pairs in their usual order.
pub const PAIRS: [Pair; 4] = [Pair::C1c1, Pair::N2n2, Pair::N2c1p, Pair::N2c1m];

impl Pair {
    /// Short id used in options, manifests and CSV output.
    pub const fn id(self) -> &'static str {
        match self {
            Pair::C1c1 => "c1c1",
            Pair::N2n2 => "n2n2",
            Pair::N2c1p => "n2c1p",
            Pair::N2c1m => "n2c1m",
        }
    }

    /// PDG codes of the two final-state particles, as in SLHA XSECTION blocks.
    pub const fn pdg(self) -> [i64; 2] {
        match self {
            Pair::C1c1 => [1000024, -1000024],
            Pair::N2n2 => [1000023, 1000023],
            Pair::N2c1p => [1000023, 1000024],
            Pair::N2c1m => [1000023, -1000024],
        }
    }

    /// Name in particle-physics notation with Unicode combining tilde.
    pub const fn label(self) -> &'static str {
        match self {
            Pair::C1c1 => "χ̃⁺₁χ̃⁻₁",
            Pair::N2n2 => "χ̃⁰₂χ̃⁰₂",
            Pair::N2c1p => "χ̃⁰₂χ̃⁺₁",
            Pair::N2c1m => "χ̃⁰₂χ̃⁻₁",
        }
    }

    /// True if the final state contains χ̃±₁ (the prediction reads U and V).
    pub const fn has_chargino(self) -> bool {
        !matches!(self, Pair::N2n2)
    }

    /// True if the final state contains χ̃⁰₂ (the prediction reads N).
    pub const fn has_neutralino(self) -> bool {
        !matches!(self, Pair::C1c1)
    }
}

impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Error for an unknown pair id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown pair '{0}'; expected one of c1c1, n2n2, n2c1p, n2c1m")]
pub struct UnknownPair(pub String);

impl FromStr for Pair {
    type Err = UnknownPair;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        PAIRS
            .iter()
            .copied()
            .find(|pair| pair.id().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownPair(text.to_string()))
    }
}
