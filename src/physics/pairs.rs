//! Identifiers of the 29 distinct electroweakino pairs.
//!
//! Ids: `n{i}n{j}` (i ≤ j) for χ̃⁰_iχ̃⁰_j, `n{i}c{k}p` for χ̃⁰_iχ̃⁺_k,
//! `n{i}c{k}m` for χ̃⁰_iχ̃⁻_k, and `c1c1`, `c2c2`, `c1c2` for χ̃⁺_kχ̃⁻_l with
//! `c1c2` meaning χ̃⁺₁χ̃⁻₂ (equal to χ̃⁺₂χ̃⁻₁ for real mixing matrices).

use std::fmt;

use thiserror::Error;

use crate::spectrum::{CHARGINO_PDG, NEUTRALINO_PDG};

/// One electroweakino pair. Indices are zero-based (0 is χ̃⁰₁ or χ̃±₁).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pair {
    /// χ̃⁰_i χ̃⁰_j with i ≤ j.
    NeutralinoNeutralino(usize, usize),
    /// χ̃⁰_i χ̃^±_k; `positive` selects the χ̃⁺_k.
    NeutralinoChargino {
        neutralino: usize,
        chargino: usize,
        positive: bool,
    },
    /// χ̃⁺_k χ̃⁻_l with k ≤ l.
    CharginoPair(usize, usize),
}

/// An invalid pair id.
#[derive(Debug, Error, PartialEq)]
#[error("invalid pair id `{0}` (expected e.g. n2n2, n2c1p, n2c1m, c1c1, c1c2, or `all`)")]
pub struct PairParseError(pub String);

impl Pair {
    /// The four pairs that DeepXS learned.
    pub const DEEPXS: [Pair; 4] = [
        Pair::CharginoPair(0, 0),
        Pair::NeutralinoNeutralino(1, 1),
        Pair::NeutralinoChargino {
            neutralino: 1,
            chargino: 0,
            positive: true,
        },
        Pair::NeutralinoChargino {
            neutralino: 1,
            chargino: 0,
            positive: false,
        },
    ];

    /// Returns all 29 distinct pairs: ten neutralino pairs, sixteen
    /// neutralino–chargino pairs and three chargino pairs.
    pub fn all() -> Vec<Pair> {
        let mut pairs = Vec::with_capacity(29);
        for i in 0..4 {
            for j in i..4 {
                pairs.push(Pair::NeutralinoNeutralino(i, j));
            }
        }
        for neutralino in 0..4 {
            for chargino in 0..2 {
                for positive in [true, false] {
                    pairs.push(Pair::NeutralinoChargino {
                        neutralino,
                        chargino,
                        positive,
                    });
                }
            }
        }
        pairs.push(Pair::CharginoPair(0, 0));
        pairs.push(Pair::CharginoPair(1, 1));
        pairs.push(Pair::CharginoPair(0, 1));
        pairs
    }

    /// PDG codes of the two final-state particles (the χ̃⁻ of a chargino
    /// pair carries the negative code).
    pub fn pdg_codes(&self) -> (i64, i64) {
        match *self {
            Pair::NeutralinoNeutralino(i, j) => (NEUTRALINO_PDG[i], NEUTRALINO_PDG[j]),
            Pair::NeutralinoChargino {
                neutralino,
                chargino,
                positive,
            } => {
                let sign = if positive { 1 } else { -1 };
                (NEUTRALINO_PDG[neutralino], sign * CHARGINO_PDG[chargino])
            }
            Pair::CharginoPair(k, l) => (CHARGINO_PDG[k], -CHARGINO_PDG[l]),
        }
    }

    /// Parses one id such as `n2c1p`.
    pub fn parse(id: &str) -> Result<Pair, PairParseError> {
        let invalid = || PairParseError(id.to_string());
        let bytes = id.as_bytes();
        let digit = |b: u8, max: u8| -> Option<usize> {
            (b'1'..=max).contains(&b).then(|| usize::from(b - b'1'))
        };
        match bytes {
            [b'n', i, b'n', j] => {
                let (i, j) = (digit(*i, b'4').ok_or_else(invalid)?, digit(*j, b'4').ok_or_else(invalid)?);
                if i > j {
                    return Err(invalid());
                }
                Ok(Pair::NeutralinoNeutralino(i, j))
            }
            [b'n', i, b'c', k, sign @ (b'p' | b'm')] => Ok(Pair::NeutralinoChargino {
                neutralino: digit(*i, b'4').ok_or_else(invalid)?,
                chargino: digit(*k, b'2').ok_or_else(invalid)?,
                positive: *sign == b'p',
            }),
            [b'c', k, b'c', l] => {
                let (k, l) = (digit(*k, b'2').ok_or_else(invalid)?, digit(*l, b'2').ok_or_else(invalid)?);
                if k > l {
                    return Err(invalid());
                }
                Ok(Pair::CharginoPair(k, l))
            }
            _ => Err(invalid()),
        }
    }

    /// Parses a comma-separated list of ids, or `all` for every pair.
    pub fn parse_list(text: &str) -> Result<Vec<Pair>, PairParseError> {
        if text.trim() == "all" {
            return Ok(Pair::all());
        }
        text.split(',').map(|id| Pair::parse(id.trim())).collect()
    }
}

impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Pair::NeutralinoNeutralino(i, j) => write!(f, "n{}n{}", i + 1, j + 1),
            Pair::NeutralinoChargino {
                neutralino,
                chargino,
                positive,
            } => write!(
                f,
                "n{}c{}{}",
                neutralino + 1,
                chargino + 1,
                if positive { 'p' } else { 'm' }
            ),
            Pair::CharginoPair(k, l) => write!(f, "c{}c{}", k + 1, l + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_has_29_distinct_ids() {
        let ids: std::collections::BTreeSet<String> = Pair::all().iter().map(|p| p.to_string()).collect();
        assert_eq!(ids.len(), 29);
    }

    #[test]
    fn ids_round_trip() {
        for pair in Pair::all() {
            assert_eq!(Pair::parse(&pair.to_string()), Ok(pair));
        }
    }

    #[test]
    fn deepxs_pdg_codes() {
        let codes: Vec<(i64, i64)> = Pair::DEEPXS.iter().map(Pair::pdg_codes).collect();
        assert_eq!(
            codes,
            vec![
                (1000024, -1000024),
                (1000023, 1000023),
                (1000023, 1000024),
                (1000023, -1000024)
            ]
        );
        assert_eq!(Pair::parse("c1c2").unwrap().pdg_codes(), (1000024, -1000037));
    }

    #[test]
    fn invalid_ids_rejected() {
        for id in ["n2n1", "c2c1", "n5n5", "n2c3p", "n2c1", "x", ""] {
            assert!(Pair::parse(id).is_err(), "{id}");
        }
        assert_eq!(Pair::parse_list("all").unwrap().len(), 29);
        assert_eq!(Pair::parse_list("n2n2, c1c1").unwrap().len(), 2);
    }
}
