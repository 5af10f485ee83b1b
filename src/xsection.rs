//! SLHA XSECTION blocks: formatting and appending them to a spectrum file.
//!
//! Layout (SLHA extension of the Les Houches 2013 proceedings,
//! arXiv:1605.02684, section 17): a header
//! `XSECTION  √s[GeV]  2212 2212  2  pdg1 pdg2`, then one line per value
//! `scale_scheme qcd_order ew_order kappa_f kappa_r pdf_id  σ[pb]  code version`.
//! deepxs writes scale scheme 0 (central scale at the mean mass of the
//! produced particles, as Prospino's μ = (m₁ + m₂)/2), QCD order 0 (LO) or
//! 1 (NLO), EW order 0, κ_F = κ_R = 1 (the central scale), the LHAPDF ID of
//! the parton densities (0 where unknown), and its own name as the code.

/// Code name of the network predictions in XSECTION lines.
pub const PROGRAM: &str = "deepxs";

/// Code name of the exact LO calculation in XSECTION lines, kept apart from
/// the network values so that both can stand in one file.
pub const PROGRAM_EXACT_LO: &str = "deepxs-lo";

/// One cross section for an XSECTION block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XsectionValue {
    /// Final-state PDG codes.
    pub pdg: [i64; 2],
    /// Proton-proton centre-of-mass energy in GeV.
    pub sqrts_gev: f64,
    /// 0 for LO, 1 for NLO.
    pub qcd_order: u8,
    /// LHAPDF ID of the parton densities behind the value; 0 if unknown.
    pub pdf_id: i64,
    pub sigma_pb: f64,
}

/// LHAPDF ID of CTEQ6L1, the parton densities of the LO labels the
/// networks learned (Prospino 2.1's LO set).
pub const NETWORK_LO_PDF_ID: i64 = 10042;

/// LHAPDF ID of CTEQ6.6, the parton densities of the NLO labels (Prospino
/// 2.1's NLO set).
pub const NETWORK_NLO_PDF_ID: i64 = 10550;

/// Formats a number as the SLHA convention does: `1.30E+04`, with
/// `digits` digits after the point.
pub fn format_fortran(value: f64, digits: usize) -> String {
    let text = format!("{value:.digits$E}");
    match text.split_once('E') {
        Some((mantissa, exponent)) => {
            let exponent: i32 = exponent.parse().unwrap_or(0);
            let sign = if exponent < 0 { '-' } else { '+' };
            format!("{mantissa}E{sign}{:02}", exponent.abs())
        }
        None => text,
    }
}

/// Formats one header and its value lines.
fn format_block(pdg: [i64; 2], sqrts_gev: f64, lines: &[BlockLine], program: &str, version: &str, newline: &str) -> String {
    let mut block = format!("XSECTION  {}  2212 2212 2 {} {}{newline}", format_fortran(sqrts_gev, 2), pdg[0], pdg[1]);
    for &(order, pdf_id, sigma_pb) in lines {
        block.push_str(&format!(
            "  0  {order}  0  1.0E+00  1.0E+00  {pdf_id}    {}  {program} {version}{newline}",
            format_fortran(sigma_pb, 5)
        ));
    }
    block
}

/// Formats values as XSECTION blocks, one block per final state and √s,
/// with `program` as the code name.
pub fn format_blocks(values: &[XsectionValue], program: &str, version: &str) -> String {
    let mut text = String::new();
    for (key, lines) in group(values) {
        text.push_str(&format_block(key.0, key.1, &lines, program, version, "\n"));
    }
    text
}

/// One value line: QCD order, LHAPDF ID and σ in pb.
type BlockLine = (u8, i64, f64);

/// Values of one XSECTION block: (final state, √s in GeV) and its lines.
type BlockGroup = (([i64; 2], f64), Vec<BlockLine>);

fn group(values: &[XsectionValue]) -> Vec<BlockGroup> {
    let mut groups: Vec<BlockGroup> = Vec::new();
    for value in values {
        let key = (value.pdg, value.sqrts_gev);
        match groups.iter_mut().find(|(existing, _)| *existing == key) {
            Some((_, lines)) => lines.push((value.qcd_order, value.pdf_id, value.sigma_pb)),
            None => groups.push((key, vec![(value.qcd_order, value.pdf_id, value.sigma_pb)])),
        }
    }
    for (_, lines) in &mut groups {
        lines.sort_by_key(|&(order, _, _)| order);
    }
    groups
}

/// Reads √s and the final state from an XSECTION header line.
fn parse_header(line: &str) -> Option<(f64, [i64; 2])> {
    let content = line.split('#').next()?;
    let fields: Vec<&str> = content.split_whitespace().collect();
    if fields.len() < 7 || !fields[0].eq_ignore_ascii_case("XSECTION") {
        return None;
    }
    let sqrts = crate::slha::parse_number(fields[1]).ok()?;
    if fields[4] != "2" {
        return None;
    }
    Some((sqrts, [fields[5].parse().ok()?, fields[6].parse().ok()?]))
}

/// Reads the QCD order of a value line written by `program`; returns `None`
/// for a line of another program.
fn own_line_order(line: &str, program: &str) -> Option<u8> {
    let content = line.split('#').next()?;
    let fields: Vec<&str> = content.split_whitespace().collect();
    if fields.len() >= 8 && fields[7] == program {
        fields[1].parse().ok()
    } else {
        None
    }
}

fn same_sqrts(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs())
}

/// Appends XSECTION blocks for `values` to an SLHA text, with `program` as
/// the code name of each line.
///
/// A value line that the same program wrote earlier for the same final state, √s and
/// QCD order is removed, so repeated runs leave one line per pair and order.
/// An earlier line of that program of another order for the same final state moves
/// into the new block. Lines of other programs, and every byte outside the
/// removed lines and the appended blocks, stay as they were. The file's line
/// ending (LF or CRLF) is kept.
pub fn append_to_slha(text: &str, values: &[XsectionValue], program: &str, version: &str) -> String {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut groups = group(values);

    // Split keeping line ends, so untouched lines are copied byte for byte.
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut keep = vec![true; lines.len()];
    let mut index = 0;
    while index < lines.len() {
        let Some((sqrts, pdg)) = parse_header(lines[index]) else {
            index += 1;
            continue;
        };
        let header = index;
        let mut end = index + 1;
        while end < lines.len() {
            let first = lines[end].split_whitespace().next().unwrap_or("");
            if ["BLOCK", "DECAY", "XSECTION"].iter().any(|keyword| first.eq_ignore_ascii_case(keyword)) {
                break;
            }
            end += 1;
        }
        if let Some((_, new_lines)) = groups.iter_mut().find(|((group_pdg, group_sqrts), _)| *group_pdg == pdg && same_sqrts(*group_sqrts, sqrts)) {
            let mut remaining_values = 0;
            for line_index in header + 1..end {
                match own_line_order(lines[line_index], program) {
                    Some(order) => {
                        keep[line_index] = false;
                        if !new_lines.iter().any(|&(new_order, _, _)| new_order == order) {
                            let fields: Vec<&str> = lines[line_index].split_whitespace().collect();
                            let sigma = fields.get(6).and_then(|field| crate::slha::parse_number(field).ok());
                            let pdf_id = fields.get(5).and_then(|field| field.parse().ok()).unwrap_or(0);
                            if let Some(sigma) = sigma {
                                new_lines.push((order, pdf_id, sigma));
                            }
                        }
                    }
                    None => {
                        let content = lines[line_index].split('#').next().unwrap_or("").trim();
                        if !content.is_empty() {
                            remaining_values += 1;
                        }
                    }
                }
            }
            if remaining_values == 0 {
                for flag in &mut keep[header..end] {
                    *flag = false;
                }
            }
        }
        index = end;
    }

    let mut output = String::with_capacity(text.len() + 256);
    for (line, kept) in lines.iter().zip(&keep) {
        if *kept {
            output.push_str(line);
        }
    }
    if !output.is_empty() && !output.ends_with('\n') {
        output.push_str(newline);
    }
    for ((pdg, sqrts), mut lines) in groups {
        lines.sort_by_key(|&(order, _, _)| order);
        output.push_str(&format_block(pdg, sqrts, &lines, program, version, newline));
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    const C1C1: [i64; 2] = [1000024, -1000024];

    fn value(order: u8, sigma_pb: f64) -> XsectionValue {
        let pdf_id = if order == 0 { NETWORK_LO_PDF_ID } else { NETWORK_NLO_PDF_ID };
        XsectionValue { pdg: C1C1, sqrts_gev: 13000.0, qcd_order: order, pdf_id, sigma_pb }
    }

    #[test]
    fn fortran_format() {
        assert_eq!(format_fortran(13000.0, 2), "1.30E+04");
        assert_eq!(format_fortran(1.04018, 5), "1.04018E+00");
        assert_eq!(format_fortran(3.3e-7, 3), "3.300E-07");
    }

    #[test]
    fn block_layout() {
        let text = append_to_slha("BLOCK MASS\n 1000024 1.0E+02\n", &[value(0, 1.04018), value(1, 1.33987)], PROGRAM, "0.1.0");
        assert_eq!(
            text,
            "BLOCK MASS\n 1000024 1.0E+02\nXSECTION  1.30E+04  2212 2212 2 1000024 -1000024\n  0  0  0  1.0E+00  1.0E+00  10042    1.04018E+00  deepxs 0.1.0\n  0  1  0  1.0E+00  1.0E+00  10550    1.33987E+00  deepxs 0.1.0\n"
        );
    }

    #[test]
    fn rewriting_replaces_own_lines_only() {
        let original = "BLOCK MASS\r\n 1000024 1.0E+02\r\nXSECTION  1.30E+04  2212 2212 2 1000024 -1000024\r\n  0  2  0  0  0  0    1.5E+00  other 1.0\r\n";
        let once = append_to_slha(original, &[value(0, 1.0), value(1, 1.3)], PROGRAM, "0.1.0");
        let twice = append_to_slha(&once, &[value(1, 1.4)], PROGRAM, "0.1.0");
        assert!(twice.starts_with(original), "other program's block kept byte for byte");
        assert_eq!(twice.matches("deepxs").count(), 2);
        assert!(twice.contains("  0  0  0  1.0E+00  1.0E+00  10042    1.00000E+00  deepxs 0.1.0\r\n"));
        assert!(twice.contains("  0  1  0  1.0E+00  1.0E+00  10550    1.40000E+00  deepxs 0.1.0\r\n"));
        assert!(!twice.contains("1.30000E+00"));
        assert_eq!(append_to_slha(&twice, &[value(1, 1.4)], PROGRAM, "0.1.0"), twice, "idempotent");
    }
}
