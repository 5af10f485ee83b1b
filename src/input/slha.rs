//! SLHA spectrum file → [`Point`].

use crate::error::{InputError, InputErrorKind, Location};
use crate::input::{validate_record, Point};
use crate::record::{Column, InputRecord, SQUARK_COLUMNS};
use crate::slha::{NumericBlock, SlhaDocument};
use crate::spectrum::{Spectrum, CHARGINO_PDG, GLUINO_PDG, NEUTRALINO_PDG, SQUARK_PDG};

/// Reads the network inputs, the sparticle masses and (when complete) the
/// full spectrum from the text of one SLHA file.
///
/// Errors: malformed lines, a MASS/NMIX/UMIX/VMIX block given twice, a
/// non-zero imaginary mixing entry, an NMSSM spectrum, and values outside
/// their physical range. Missing entries are not errors here: the record
/// keeps them as `None` and the pairs that need them are reported as not
/// computable.
pub fn parse_slha(source: &str, text: &str) -> Result<Point, InputError> {
    let document = SlhaDocument::parse(source, text)?;
    reject_nmssm(&document)?;
    for name in ["IMNMIX", "IMUMIX", "IMVMIX"] {
        reject_complex_mixing(&document, name)?;
    }

    let mass = read_block(&document, "MASS", 1)?;
    let nmix = read_block(&document, "NMIX", 2)?;
    let umix = read_block(&document, "UMIX", 2)?;
    let vmix = read_block(&document, "VMIX", 2)?;

    let mut record = InputRecord::empty();
    let matrix_entry = |block: &Option<NumericBlock>, i: i64, j: i64| block.as_ref().and_then(|b| b.get(&[i, j]));
    let mass_entry = |pdg: i64| mass.as_ref().and_then(|b| b.get(&[pdg]));
    record.set(Column::U11, matrix_entry(&umix, 1, 1));
    record.set(Column::U12, matrix_entry(&umix, 1, 2));
    record.set(Column::V11, matrix_entry(&vmix, 1, 1));
    record.set(Column::V12, matrix_entry(&vmix, 1, 2));
    record.set(Column::N21, matrix_entry(&nmix, 2, 1));
    record.set(Column::N22, matrix_entry(&nmix, 2, 2));
    record.set(Column::N23, matrix_entry(&nmix, 2, 3));
    record.set(Column::N24, matrix_entry(&nmix, 2, 4));
    record.set(Column::MChi20, mass_entry(1000023));
    record.set(Column::MChi1pm, mass_entry(1000024));
    for (column, pdg) in SQUARK_COLUMNS.iter().zip(SQUARK_PDG) {
        record.set(*column, mass_entry(pdg));
    }
    // SLHA1 allows a negative gluino mass to carry the phase of M3; the
    // physical mass is its absolute value.
    record.set(Column::MGluino, mass_entry(GLUINO_PDG).map(f64::abs));

    let locate = |column: Column| locate_column(&document, column, &mass, &nmix, &umix, &vmix);
    validate_record(&record, &locate)?;

    let sparticle_masses = mass.as_ref().map(|block| {
        let mut masses: Vec<(i64, f64)> = block
            .entries
            .iter()
            .filter(|(indices, _)| is_sparticle(indices[0]))
            .map(|(indices, &(value, _))| (indices[0], value))
            .collect();
        masses.sort_by_key(|&(pdg, _)| pdg);
        masses
    });

    let generator_errors = document
        .text_entries("SPINFO", 4)
        .into_iter()
        .map(|(line, text)| {
            if text.is_empty() {
                format!("line {line}: the spectrum generator flagged an error (SPINFO 4)")
            } else {
                format!("line {line}: the spectrum generator flagged an error (SPINFO 4): {text}")
            }
        })
        .collect();

    Ok(Point {
        source: source.to_string(),
        row: 0,
        line: None,
        record,
        sparticle_masses,
        spectrum: full_spectrum(&mass, &nmix, &umix, &vmix),
        generator_errors,
    })
}

/// True for a PDG code of a supersymmetric particle (10000xx or 20000xx).
fn is_sparticle(pdg: i64) -> bool {
    let code = pdg.abs();
    (1_000_001..=1_000_039).contains(&code) || (2_000_001..=2_000_016).contains(&code)
}

fn read_block(document: &SlhaDocument<'_>, name: &str, index_count: usize) -> Result<Option<NumericBlock>, InputError> {
    match document.unique_block(name)? {
        Some(block) => Ok(Some(document.read_numeric_block(block, index_count)?)),
        None => Ok(None),
    }
}

fn reject_nmssm(document: &SlhaDocument<'_>) -> Result<(), InputError> {
    for (line, text) in document.text_entries("MODSEL", 3) {
        let value = text.split_whitespace().next().and_then(|field| crate::slha::parse_number(field).ok());
        if value == Some(1.0) {
            let location = Location {
                field: Some("MODSEL".into()),
                key: Some("3".into()),
                ..Location::source(document.source()).at_line(line)
            };
            return Err(InputError::new(location, InputErrorKind::Nmssm { reason: "MODSEL 3 = 1 selects the NMSSM".into() }));
        }
    }
    if let Some(block) = document.blocks_named("NMNMIX").next() {
        if document.blocks_named("NMIX").next().is_none() {
            let location = Location { field: Some("NMNMIX".into()), ..Location::source(document.source()).at_line(block.line) };
            return Err(InputError::new(
                location,
                InputErrorKind::Nmssm { reason: "the file has the 5×5 neutralino mixing block NMNMIX and no NMIX".into() },
            ));
        }
    }
    Ok(())
}

fn reject_complex_mixing(document: &SlhaDocument<'_>, name: &str) -> Result<(), InputError> {
    for block in document.blocks_named(name) {
        let values = document.read_numeric_block(block, 2)?;
        let mut entries: Vec<_> = values.entries.iter().collect();
        entries.sort_by_key(|(_, &(_, line))| line);
        if let Some((indices, &(value, line))) = entries.into_iter().find(|(_, &(value, _))| value != 0.0) {
            let location = Location {
                field: Some(block.name.clone()),
                key: Some(format!("{} {}", indices[0], indices[1])),
                ..Location::source(document.source()).at_line(line)
            };
            return Err(InputError::new(location, InputErrorKind::ComplexMixing { value }));
        }
    }
    Ok(())
}

/// Location of the SLHA entry behind a column, for range errors.
fn locate_column(
    document: &SlhaDocument<'_>,
    column: Column,
    mass: &Option<NumericBlock>,
    nmix: &Option<NumericBlock>,
    umix: &Option<NumericBlock>,
    vmix: &Option<NumericBlock>,
) -> Location {
    let (block, indices): (&Option<NumericBlock>, Vec<i64>) = match column {
        Column::U11 => (umix, vec![1, 1]),
        Column::U12 => (umix, vec![1, 2]),
        Column::V11 => (vmix, vec![1, 1]),
        Column::V12 => (vmix, vec![1, 2]),
        Column::N21 => (nmix, vec![2, 1]),
        Column::N22 => (nmix, vec![2, 2]),
        Column::N23 => (nmix, vec![2, 3]),
        Column::N24 => (nmix, vec![2, 4]),
        Column::MChi20 => (mass, vec![1000023]),
        Column::MChi1pm => (mass, vec![1000024]),
        Column::MGluino => (mass, vec![GLUINO_PDG]),
        squark => (mass, vec![squark.name()[2..].parse().unwrap_or(0)]),
    };
    let key = indices.iter().map(i64::to_string).collect::<Vec<_>>().join(" ");
    let mut location = Location { key: Some(key), ..Location::source(document.source()) };
    if let Some(block) = block {
        location.field = Some(block.name.clone());
        location.line = block.line_of(&indices).or(Some(block.line));
    }
    location
}

/// Builds the full spectrum, if every entry it needs is present.
fn full_spectrum(
    mass: &Option<NumericBlock>,
    nmix: &Option<NumericBlock>,
    umix: &Option<NumericBlock>,
    vmix: &Option<NumericBlock>,
) -> Option<Spectrum> {
    let (mass, nmix, umix, vmix) = (mass.as_ref()?, nmix.as_ref()?, umix.as_ref()?, vmix.as_ref()?);
    let mut spectrum = Spectrum {
        neutralino_mass_gev: [0.0; 4],
        nmix: [[0.0; 4]; 4],
        chargino_mass_gev: [0.0; 2],
        umix: [[0.0; 2]; 2],
        vmix: [[0.0; 2]; 2],
        squark_mass_gev: [0.0; 8],
        gluino_mass_gev: mass.get(&[GLUINO_PDG])?.abs(),
    };
    for (i, pdg) in NEUTRALINO_PDG.iter().enumerate() {
        spectrum.neutralino_mass_gev[i] = mass.get(&[*pdg])?;
        for j in 0..4 {
            spectrum.nmix[i][j] = nmix.get(&[i as i64 + 1, j as i64 + 1])?;
        }
    }
    for (i, pdg) in CHARGINO_PDG.iter().enumerate() {
        spectrum.chargino_mass_gev[i] = mass.get(&[*pdg])?;
        for j in 0..2 {
            spectrum.umix[i][j] = umix.get(&[i as i64 + 1, j as i64 + 1])?;
            spectrum.vmix[i][j] = vmix.get(&[i as i64 + 1, j as i64 + 1])?;
        }
    }
    for (i, pdg) in SQUARK_PDG.iter().enumerate() {
        spectrum.squark_mass_gev[i] = mass.get(&[*pdg])?;
    }
    Some(spectrum)
}
