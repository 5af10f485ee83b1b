//! The input record: the 19 numbers the DeepXS networks read for one point.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One of the 19 canonical input columns (SLHA2 conventions, masses in GeV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Column {
    /// UMIX(1,1)
    U11,
    /// UMIX(1,2)
    U12,
    /// VMIX(1,1)
    V11,
    /// VMIX(1,2)
    V12,
    /// NMIX(2,1)
    N21,
    /// NMIX(2,2)
    N22,
    /// NMIX(2,3)
    N23,
    /// NMIX(2,4)
    N24,
    /// Signed mass of χ̃⁰₂ (PDG 1000023) in GeV.
    MChi20,
    /// Mass of χ̃±₁ (PDG 1000024) in GeV.
    MChi1pm,
    /// d̃_L (PDG 1000001) mass in GeV.
    M1000001,
    /// d̃_R (PDG 2000001) mass in GeV.
    M2000001,
    /// ũ_R (PDG 2000002) mass in GeV.
    M2000002,
    /// ũ_L (PDG 1000002) mass in GeV.
    M1000002,
    /// s̃_L (PDG 1000003) mass in GeV.
    M1000003,
    /// s̃_R (PDG 2000003) mass in GeV.
    M2000003,
    /// c̃_L (PDG 1000004) mass in GeV.
    M1000004,
    /// c̃_R (PDG 2000004) mass in GeV.
    M2000004,
    /// Gluino (PDG 1000021) mass in GeV.
    MGluino,
}

/// All columns in canonical order; the position is the column's index.
pub const COLUMNS: [Column; 19] = [
    Column::U11,
    Column::U12,
    Column::V11,
    Column::V12,
    Column::N21,
    Column::N22,
    Column::N23,
    Column::N24,
    Column::MChi20,
    Column::MChi1pm,
    Column::M1000001,
    Column::M2000001,
    Column::M2000002,
    Column::M1000002,
    Column::M1000003,
    Column::M2000003,
    Column::M1000004,
    Column::M2000004,
    Column::MGluino,
];

/// The eight squark mass columns, in canonical order (positions 10 to 17
/// of [`COLUMNS`]).
pub const SQUARK_COLUMNS: [Column; 8] = {
    let mut squarks = [Column::M1000001; 8];
    let mut index = 0;
    while index < 8 {
        squarks[index] = COLUMNS[Column::M1000001 as usize + index];
        index += 1;
    }
    squarks
};

impl Column {
    /// Canonical CSV column name.
    pub const fn name(self) -> &'static str {
        match self {
            Column::U11 => "U11",
            Column::U12 => "U12",
            Column::V11 => "V11",
            Column::V12 => "V12",
            Column::N21 => "N21",
            Column::N22 => "N22",
            Column::N23 => "N23",
            Column::N24 => "N24",
            Column::MChi20 => "m_chi20",
            Column::MChi1pm => "m_chi1pm",
            Column::M1000001 => "m_1000001",
            Column::M2000001 => "m_2000001",
            Column::M2000002 => "m_2000002",
            Column::M1000002 => "m_1000002",
            Column::M1000003 => "m_1000003",
            Column::M2000003 => "m_2000003",
            Column::M1000004 => "m_1000004",
            Column::M2000004 => "m_2000004",
            Column::MGluino => "m_gluino",
        }
    }

    /// Position in [`COLUMNS`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Looks a column up by its canonical name (exact, case-sensitive,
    /// because `N21` and `n21` could otherwise be confused with other
    /// conventions).
    pub fn from_name(name: &str) -> Option<Column> {
        COLUMNS.iter().copied().find(|column| column.name() == name)
    }

    /// Where the value comes from in an SLHA file, for messages.
    pub fn slha_source(self) -> String {
        match self {
            Column::U11 => "UMIX(1,1)".into(),
            Column::U12 => "UMIX(1,2)".into(),
            Column::V11 => "VMIX(1,1)".into(),
            Column::V12 => "VMIX(1,2)".into(),
            Column::N21 => "NMIX(2,1)".into(),
            Column::N22 => "NMIX(2,2)".into(),
            Column::N23 => "NMIX(2,3)".into(),
            Column::N24 => "NMIX(2,4)".into(),
            Column::MChi20 => "MASS 1000023".into(),
            Column::MChi1pm => "MASS 1000024".into(),
            Column::MGluino => "MASS 1000021".into(),
            squark => format!("MASS {}", &squark.name()[2..]),
        }
    }

    /// True for the mass columns.
    pub fn is_mass(self) -> bool {
        self.index() >= Column::MChi20.index()
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The 19 inputs of one point; a value is `None` where the input did not
/// provide it (a pair that needs it is then not computable).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct InputRecord {
    values: [Option<f64>; 19],
}

impl InputRecord {
    /// A record with every value missing.
    pub fn empty() -> Self {
        InputRecord::default()
    }

    /// A record with all 19 values, in canonical order.
    pub fn from_values(values: [f64; 19]) -> Self {
        InputRecord { values: values.map(Some) }
    }

    pub fn get(&self, column: Column) -> Option<f64> {
        self.values[column.index()]
    }

    pub fn set(&mut self, column: Column, value: Option<f64>) {
        self.values[column.index()] = value;
    }

    /// All values in canonical order.
    pub fn values(&self) -> &[Option<f64>; 19] {
        &self.values
    }

    /// The columns among `needed` that have no value.
    pub fn missing(&self, needed: &[Column]) -> Vec<Column> {
        needed.iter().copied().filter(|&column| self.get(column).is_none()).collect()
    }

    /// Arithmetic mean of the eight squark masses in GeV, if all are present.
    pub fn mean_squark_mass_gev(&self) -> Option<f64> {
        let mut sum = 0.0;
        for column in SQUARK_COLUMNS {
            sum += self.get(column)?;
        }
        Some(sum / 8.0)
    }
}
