//! Reader for parton-density sets in the LHAPDF6 `lhagrid1` format and
//! log-bicubic interpolation of them.
//!
//! The reader takes file contents, not paths, so the same code runs in the
//! browser, where the user loads the `.info` and `_0000.dat` files from disk.
//! The interpolation follows the scheme that LHAPDF 6 calls `logbicubic`:
//! cubic Hermite polynomials in ln x and ln Q², with knot derivatives taken as
//! the mean of the neighbouring finite differences (one-sided at the grid
//! edges). Outside the grid the nearest grid value is used.

use thiserror::Error;

/// PDG codes of the partons that the leading-order engine needs, in the
/// order of [`Parton`].
const NEEDED_PDG: [i32; 8] = [1, 2, 3, 4, -1, -2, -3, -4];

/// A light parton that enters the electroweakino channels (no b quarks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Parton {
    Down = 0,
    Up = 1,
    Strange = 2,
    Charm = 3,
    AntiDown = 4,
    AntiUp = 5,
    AntiStrange = 6,
    AntiCharm = 7,
}

/// Failure to read an LHAPDF6 set.
#[derive(Debug, Error, PartialEq)]
pub enum PdfError {
    #[error("{file}: line {line}: {message}")]
    Syntax {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}: format `{format}` is not supported (expected lhagrid1)")]
    UnsupportedFormat { file: String, format: String },
    #[error("{file}: no subgrid found after the header")]
    NoSubgrid { file: String },
    #[error("{file}: subgrid {subgrid} has no column for parton PDG {pdg}")]
    MissingParton {
        file: String,
        subgrid: usize,
        pdg: i32,
    },
}

/// One block of the grid, covering a range of Q.
#[derive(Debug, Clone)]
struct Subgrid {
    ln_x: Vec<f64>,
    ln_q2: Vec<f64>,
    /// x·f(x, Q) for the partons of [`NEEDED_PDG`], indexed
    /// `[(ix * n_q + iq) * 8 + parton]`.
    xf: Vec<f64>,
}

/// A parton-density set (one member) on its (x, Q) grid.
#[derive(Debug, Clone)]
pub struct PdfSet {
    /// Set description from the `.info` file (`SetDesc`), empty when absent.
    pub description: String,
    /// LHAPDF ID from the `.info` file (`SetIndex`), if present.
    pub lhapdf_id: Option<i64>,
    subgrids: Vec<Subgrid>,
}

/// Parton densities at one fixed scale Q, tabulated on the x knots of the set,
/// so that repeated evaluations at the same Q cost only the x interpolation.
#[derive(Debug, Clone)]
pub struct PdfSlice {
    ln_x: Vec<f64>,
    /// x·f(x_k, Q) indexed `[k * 8 + parton]`.
    xf: Vec<f64>,
    /// d(x·f)/d ln x at the knots, same indexing, from the finite-difference
    /// rule of [`HermiteWeights`].
    slope: Vec<f64>,
}

impl PdfSet {
    /// Parses a set from the contents of its `.info` file and of one member
    /// data file (`<name>_0000.dat` for the central member). `data_name` is
    /// used in error messages only.
    pub fn from_lhapdf_strings(info: &str, data: &str, data_name: &str) -> Result<Self, PdfError> {
        let description = info_value(info, "SetDesc")
            .map(|value| value.trim_matches('"').to_string())
            .unwrap_or_default();
        let lhapdf_id = info_value(info, "SetIndex").and_then(|value| value.parse().ok());
        if let Some(format) = info_value(info, "Format") {
            if format != "lhagrid1" {
                return Err(PdfError::UnsupportedFormat {
                    file: data_name.to_string(),
                    format: format.to_string(),
                });
            }
        }
        let subgrids = parse_data(data, data_name)?;
        Ok(Self {
            description,
            lhapdf_id,
            subgrids,
        })
    }

    /// Interpolates the grid in Q for every x knot of the subgrid that
    /// contains `q_gev` (the grid edge is used outside the Q range).
    pub fn slice_at(&self, q_gev: f64) -> PdfSlice {
        self.slice_above(q_gev, 0.0)
    }

    /// Like [`PdfSet::slice_at`], but only the x knots needed for x ≥ `x_min`
    /// are interpolated; the slice returns the lowest of them below that.
    pub fn slice_above(&self, q_gev: f64, x_min: f64) -> PdfSlice {
        let ln_q2 = (q_gev * q_gev).ln();
        let grid = self.subgrid_for(ln_q2);
        let n_q = grid.ln_q2.len();
        let n_x = grid.ln_x.len();
        // Two knots below the interval of x_min feed its cubic weights.
        let first = if x_min > 0.0 {
            grid.ln_x.partition_point(|&k| k <= x_min.ln()).saturating_sub(2)
        } else {
            0
        };
        let mut xf = vec![0.0; (n_x - first) * 8];
        let weights = HermiteWeights::new(&grid.ln_q2, ln_q2);
        for ix in first..n_x {
            for parton in 0..8 {
                let value = weights.apply(|iq| grid.xf[(ix * n_q + iq) * 8 + parton]);
                xf[(ix - first) * 8 + parton] = value;
            }
        }
        PdfSlice::new(grid.ln_x[first..].to_vec(), xf)
    }

    /// Returns x·f(x, Q) for one parton; a convenience for tests and single
    /// look-ups (use [`PdfSet::slice_at`] for many x at one Q).
    pub fn xf(&self, parton: Parton, x: f64, q_gev: f64) -> f64 {
        self.slice_at(q_gev).xf_all(x)[parton as usize]
    }

    fn subgrid_for(&self, ln_q2: f64) -> &Subgrid {
        // The parser guarantees at least one subgrid. Subgrids are ordered in
        // Q, and a Q on a shared boundary belongs to the upper one.
        let mut chosen = &self.subgrids[0];
        for grid in &self.subgrids {
            if ln_q2 >= grid.ln_q2[0] {
                chosen = grid;
            }
        }
        chosen
    }
}

impl PdfSlice {
    fn new(ln_x: Vec<f64>, xf: Vec<f64>) -> Self {
        let n = ln_x.len();
        let mut slope = vec![0.0; xf.len()];
        if n >= 2 {
            for k in 0..n {
                let (lo, hi) = (k.saturating_sub(1), (k + 1).min(n - 1));
                for parton in 0..8 {
                    let value = |i: usize| xf[i * 8 + parton];
                    slope[k * 8 + parton] = if k == 0 || k == n - 1 {
                        (value(hi) - value(lo)) / (ln_x[hi] - ln_x[lo])
                    } else {
                        let left = (value(k) - value(lo)) / (ln_x[k] - ln_x[lo]);
                        let right = (value(hi) - value(k)) / (ln_x[hi] - ln_x[k]);
                        0.5 * (left + right)
                    };
                }
            }
        }
        Self { ln_x, xf, slope }
    }

    /// Returns x·f(x, Q) for all eight partons of [`Parton`] at momentum fraction `x`.
    pub fn xf_all(&self, x: f64) -> [f64; 8] {
        let mut out = [0.0; 8];
        let n = self.ln_x.len();
        if !(x > 0.0) || x >= 1.0 || n == 0 {
            return out;
        }
        if n < 4 {
            let weights = HermiteWeights::new(&self.ln_x, x.ln());
            for (parton, value) in out.iter_mut().enumerate() {
                *value = weights.apply(|ix| self.xf[ix * 8 + parton]);
            }
            return out;
        }
        let at = x.ln().clamp(self.ln_x[0], self.ln_x[n - 1]);
        let i = self.ln_x.partition_point(|&k| k <= at).clamp(1, n - 1) - 1;
        let width = self.ln_x[i + 1] - self.ln_x[i];
        let t = (at - self.ln_x[i]) / width;
        let t2 = t * t;
        let t3 = t2 * t;
        let h00 = 2.0 * t3 - 3.0 * t2 + 1.0;
        let h01 = -2.0 * t3 + 3.0 * t2;
        let h10 = (t3 - 2.0 * t2 + t) * width;
        let h11 = (t3 - t2) * width;
        let (lo, hi) = (i * 8, (i + 1) * 8);
        for (parton, value) in out.iter_mut().enumerate() {
            *value = h00 * self.xf[lo + parton]
                + h01 * self.xf[hi + parton]
                + h10 * self.slope[lo + parton]
                + h11 * self.slope[hi + parton];
        }
        out
    }
}

/// Interpolation weights of one cubic Hermite step on a non-uniform grid,
/// written as a linear combination of up to four knot values so that the
/// same weights serve every parton.
struct HermiteWeights {
    first: usize,
    weights: [f64; 4],
    count: usize,
}

impl HermiteWeights {
    fn new(knots: &[f64], at: f64) -> Self {
        let n = knots.len();
        if n == 1 {
            return Self {
                first: 0,
                weights: [1.0, 0.0, 0.0, 0.0],
                count: 1,
            };
        }
        let at = at.clamp(knots[0], knots[n - 1]);
        // Index i of the interval [knots[i], knots[i+1]] that contains `at`.
        let i = match knots.partition_point(|&k| k <= at) {
            0 => 0,
            p if p >= n => n - 2,
            p => p - 1,
        };
        let width = knots[i + 1] - knots[i];
        let t = (at - knots[i]) / width;
        let t2 = t * t;
        let t3 = t2 * t;
        let h00 = 2.0 * t3 - 3.0 * t2 + 1.0;
        let h10 = t3 - 2.0 * t2 + t;
        let h01 = -2.0 * t3 + 3.0 * t2;
        let h11 = t3 - t2;
        if n < 4 {
            // LHAPDF falls back to linear interpolation on grids this small.
            return Self {
                first: i,
                weights: [1.0 - t, t, 0.0, 0.0],
                count: 2,
            };
        }

        // Knot derivative at k as weights on values k-1, k, k+1.
        let derivative = |k: usize| -> [f64; 3] {
            if k == 0 {
                let d = knots[1] - knots[0];
                [0.0, -1.0 / d, 1.0 / d]
            } else if k == n - 1 {
                let d = knots[k] - knots[k - 1];
                [-1.0 / d, 1.0 / d, 0.0]
            } else {
                let left = knots[k] - knots[k - 1];
                let right = knots[k + 1] - knots[k];
                [-0.5 / left, 0.5 / left - 0.5 / right, 0.5 / right]
            }
        };
        let d_lo = derivative(i);
        let d_hi = derivative(i + 1);
        // Values at positions i-1, i, i+1, i+2 (slot 0 and 3 may be outside).
        let mut w = [0.0; 4];
        w[1] += h00;
        w[2] += h01;
        for (offset, coefficient) in d_lo.iter().enumerate() {
            w[offset] += h10 * width * coefficient;
        }
        for (offset, coefficient) in d_hi.iter().enumerate() {
            w[offset + 1] += h11 * width * coefficient;
        }
        if i == 0 {
            // Slot 0 has zero weight at the lower edge.
            Self {
                first: 0,
                weights: [w[1], w[2], w[3], 0.0],
                count: 3,
            }
        } else if i + 2 >= n {
            Self {
                first: i - 1,
                weights: [w[0], w[1], w[2], 0.0],
                count: 3,
            }
        } else {
            Self {
                first: i - 1,
                weights: w,
                count: 4,
            }
        }
    }

    #[inline]
    fn apply(&self, value: impl Fn(usize) -> f64) -> f64 {
        let mut sum = 0.0;
        for k in 0..self.count {
            sum += self.weights[k] * value(self.first + k);
        }
        sum
    }
}

/// Returns the raw value of a top-level `Key: value` line of an `.info` file.
fn info_value<'a>(info: &'a str, key: &str) -> Option<&'a str> {
    info.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        (name.trim() == key).then(|| value.trim())
    })
}

/// Parses the subgrid blocks of a `lhagrid1` data file.
fn parse_data(data: &str, file: &str) -> Result<Vec<Subgrid>, PdfError> {
    let syntax = |line: usize, message: String| PdfError::Syntax {
        file: file.to_string(),
        line,
        message,
    };
    let mut lines = data.lines().enumerate().map(|(index, text)| (index + 1, text));

    // Skip the YAML header up to the first separator.
    let mut found_separator = false;
    for (_, text) in lines.by_ref() {
        if text.trim() == "---" {
            found_separator = true;
            break;
        }
    }
    if !found_separator {
        return Err(PdfError::NoSubgrid {
            file: file.to_string(),
        });
    }

    let mut subgrids = Vec::new();
    loop {
        let Some((x_line, x_text)) = lines.next() else { break };
        if x_text.trim().is_empty() {
            continue;
        }
        let xs = parse_numbers(x_text).map_err(|m| syntax(x_line, m))?;
        let (q_line, q_text) = lines
            .next()
            .ok_or_else(|| syntax(x_line + 1, "missing line of Q knots".to_string()))?;
        let qs = parse_numbers(q_text).map_err(|m| syntax(q_line, m))?;
        let (f_line, f_text) = lines
            .next()
            .ok_or_else(|| syntax(q_line + 1, "missing line of parton PDG codes".to_string()))?;
        let flavours: Vec<i32> = f_text
            .split_whitespace()
            .map(|token| {
                token
                    .parse::<i32>()
                    .map_err(|_| syntax(f_line, format!("invalid PDG code `{token}`")))
            })
            .collect::<Result<_, _>>()?;
        check_knots(&xs, "x", x_line, &syntax)?;
        check_knots(&qs, "Q", q_line, &syntax)?;
        if xs.iter().any(|&x| x <= 0.0) || qs.iter().any(|&q| q <= 0.0) {
            return Err(syntax(x_line, "grid knots must be positive".to_string()));
        }

        // Column of each needed parton; 21 is the gluon, which LO does not use.
        let mut columns = [0usize; 8];
        for (slot, pdg) in NEEDED_PDG.iter().enumerate() {
            columns[slot] = flavours
                .iter()
                .position(|code| code == pdg)
                .ok_or(PdfError::MissingParton {
                    file: file.to_string(),
                    subgrid: subgrids.len() + 1,
                    pdg: *pdg,
                })?;
        }

        let (n_x, n_q) = (xs.len(), qs.len());
        let mut xf = vec![0.0; n_x * n_q * 8];
        for row in 0..n_x * n_q {
            let (line, text) = lines.next().ok_or_else(|| {
                syntax(f_line + row + 1, format!("subgrid ends after {row} of {} rows", n_x * n_q))
            })?;
            let mut values = [0.0; 64];
            let mut count = 0;
            for token in text.split_whitespace() {
                if count == values.len() {
                    return Err(syntax(line, "too many columns".to_string()));
                }
                values[count] = parse_number(token).map_err(|m| syntax(line, m))?;
                count += 1;
            }
            if count != flavours.len() {
                return Err(syntax(
                    line,
                    format!("expected {} values, found {count}", flavours.len()),
                ));
            }
            for (slot, column) in columns.iter().enumerate() {
                xf[row * 8 + slot] = values[*column];
            }
        }
        match lines.next() {
            Some((_, text)) if text.trim() == "---" => {}
            Some((line, text)) => {
                return Err(syntax(line, format!("expected `---` after the subgrid, found `{}`", text.trim())))
            }
            None => {}
        }
        subgrids.push(Subgrid {
            ln_x: xs.iter().map(|x| x.ln()).collect(),
            ln_q2: qs.iter().map(|q| (q * q).ln()).collect(),
            xf,
        });
    }
    if subgrids.is_empty() {
        return Err(PdfError::NoSubgrid {
            file: file.to_string(),
        });
    }
    Ok(subgrids)
}

fn parse_number(token: &str) -> Result<f64, String> {
    let value: f64 = token
        .parse()
        .map_err(|_| format!("invalid number `{token}`"))?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("non-finite number `{token}`"))
    }
}

fn parse_numbers(text: &str) -> Result<Vec<f64>, String> {
    text.split_whitespace().map(parse_number).collect()
}

fn check_knots(
    knots: &[f64],
    name: &str,
    line: usize,
    syntax: &dyn Fn(usize, String) -> PdfError,
) -> Result<(), PdfError> {
    if knots.is_empty() {
        return Err(syntax(line, format!("no {name} knots")));
    }
    if knots.windows(2).any(|pair| pair[1] <= pair[0]) {
        return Err(syntax(line, format!("{name} knots are not strictly increasing")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grid whose x·f is a polynomial of degree ≤ 1 in ln x and ln Q² for
    /// every parton, which the cubic Hermite scheme reproduces exactly.
    fn linear_grid() -> String {
        let xs = [1e-4, 1e-3, 1e-2, 0.1, 0.5, 1.0];
        let qs = [2.0, 10.0, 100.0, 1000.0, 5000.0];
        let mut text = String::from("PdfType: central\nFormat: lhagrid1\n---\n");
        let join = |values: &[f64]| {
            values
                .iter()
                .map(|v| format!("{v:e}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        text += &join(&xs);
        text += "\n";
        text += &join(&qs);
        text += "\n-4 -3 -2 -1 1 2 3 4 21\n";
        for x in xs {
            for q in qs {
                let base = 2.0 - 0.1 * f64::ln(x) + 0.05 * f64::ln(q * q);
                let row: Vec<f64> = (0..9).map(|k| base * (k as f64 + 1.0)).collect();
                text += &join(&row);
                text += "\n";
            }
        }
        text += "---\n";
        text
    }

    #[test]
    fn interpolation_exact_for_linear_data() {
        let set = PdfSet::from_lhapdf_strings("Format: lhagrid1\n", &linear_grid(), "test.dat").unwrap();
        let (x, q) = (0.0314_f64, 321.0_f64);
        let base = 2.0 - 0.1 * x.ln() + 0.05 * (q * q).ln();
        // Column order in the file is -4 -3 -2 -1 1 2 3 4 21, so u (PDG 2) is column 6.
        let expected_up = base * 6.0;
        let value = set.xf(Parton::Up, x, q);
        assert!((value / expected_up - 1.0).abs() < 1e-12, "{value} vs {expected_up}");
        let expected_anti_charm = base * 1.0;
        let value = set.xf(Parton::AntiCharm, x, q);
        assert!((value / expected_anti_charm - 1.0).abs() < 1e-12);
    }

    #[test]
    fn interpolation_hits_knots() {
        let set = PdfSet::from_lhapdf_strings("", &linear_grid(), "test.dat").unwrap();
        let base = 2.0 - 0.1 * f64::ln(0.01) + 0.05 * f64::ln(100.0 * 100.0);
        let value = set.xf(Parton::Down, 0.01, 100.0);
        assert!((value / (base * 5.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn truncated_grid_is_an_error() {
        let text = linear_grid();
        let cut: String = text.lines().take(10).collect::<Vec<_>>().join("\n");
        let error = PdfSet::from_lhapdf_strings("", &cut, "cut.dat").unwrap_err();
        assert!(matches!(error, PdfError::Syntax { .. }), "{error}");
    }

    #[test]
    fn bad_number_names_line() {
        let text = linear_grid().replacen("1e-4", "1e-4x", 1);
        let error = PdfSet::from_lhapdf_strings("", &text, "bad.dat").unwrap_err();
        assert_eq!(error.to_string(), "bad.dat: line 4: invalid number `1e-4x`");
    }

    #[test]
    fn other_format_is_rejected() {
        let error = PdfSet::from_lhapdf_strings("Format: lhagrid2\n", &linear_grid(), "a.dat").unwrap_err();
        assert!(matches!(error, PdfError::UnsupportedFormat { .. }));
    }
}
