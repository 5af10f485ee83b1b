//! CSV and DeepXS array inputs give the same points, and 14-column array
//! layouts are recognised from the mixing rows.

use deepxs::error::InputErrorKind;
use deepxs::input::{read_input, ArrayLayout, InputFormat, ReadOptions};
use deepxs::record::{Column, COLUMNS};

/// Hand-made rows in canonical column order (not from any generator).
const ROWS: [[f64; 19]; 2] = [
    [-0.9, 0.4358898943540674, -0.92, 0.3919183588453085, 0.02, 0.03, -0.70, 0.7128113354878, -143.0, 441.0, 2000.0, 2001.0, 2002.0, 2003.0, 2004.0, 2005.0, 2006.0, 2007.0, 1800.0],
    [0.6, -0.8, 0.6, 0.8, 0.5, -0.5, 0.5, -0.5, 300.0, 290.0, 1000.0, 1001.0, 1002.0, 1003.0, 1004.0, 1005.0, 1006.0, 1007.0, 900.0],
];

fn array_text(columns: &[Column]) -> String {
    ROWS.iter()
        .map(|row| columns.iter().map(|column| format!("{:.12e}", row[column.index()])).collect::<Vec<_>>().join("  "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn csv_any_column_order() {
    let mut header: Vec<&str> = COLUMNS.iter().map(|column| column.name()).collect();
    header.reverse();
    let mut text = format!("id,{}\n", header.join(","));
    for (index, row) in ROWS.iter().enumerate() {
        let values: Vec<String> = COLUMNS.iter().rev().map(|column| row[column.index()].to_string()).collect();
        text.push_str(&format!("p{index},{}\n", values.join(",")));
    }
    let batch = read_input("scan.csv", text.as_bytes(), ReadOptions::default()).expect("valid CSV");
    assert_eq!(batch.format, InputFormat::Csv);
    for (point, row) in batch.rows.iter().zip(&ROWS) {
        let point = point.as_ref().expect("valid row");
        for column in COLUMNS {
            assert_eq!(point.record.get(column), Some(row[column.index()]), "{column}");
        }
    }
}

#[test]
fn array_layouts_recognised() {
    let cases = [
        (ArrayLayout::Chargino, Column::U11, Column::N21),
        (ArrayLayout::Neutralino, Column::N21, Column::U11),
    ];
    for (layout, present, absent) in cases {
        let text = array_text(&layout.columns());
        let batch = read_input("rows.dat", text.as_bytes(), ReadOptions::default()).expect("valid array");
        assert_eq!(batch.format, InputFormat::Array);
        let point = batch.rows[0].as_ref().expect("valid row");
        assert_eq!(point.record.get(present), Some(ROWS[0][present.index()]), "{layout:?}");
        assert_eq!(point.record.get(absent), None, "{layout:?}");
        assert_eq!(point.record.get(Column::MGluino), Some(1800.0));
    }
    let full = read_input("full.dat", array_text(&COLUMNS).as_bytes(), ReadOptions::default()).expect("19 columns");
    assert_eq!(full.rows.len(), 2);
}

#[test]
fn array_layout_mismatch_reported() {
    // The leading four numbers are neither two unit 2-vectors (chargino
    // layout, squared sum 2) nor one unit 4-vector (neutralino layout,
    // squared sum 1), so no layout fits.
    let text = "0.5 0.5 0.5 0.1 500 2000 2000 2000 2000 2000 2000 2000 2000 1500\n";
    let error = read_input("odd.dat", text.as_bytes(), ReadOptions::default()).expect_err("no layout fits");
    assert!(matches!(error.kind, InputErrorKind::AmbiguousLayout { .. }));
    assert!(error.to_string().contains("check the column order"), "{error}");
    let options = ReadOptions { array_layout: Some(ArrayLayout::Chargino) };
    let forced = read_input("odd.dat", text.as_bytes(), options).expect("layout given");
    assert_eq!(forced.rows.len(), 1);
}

#[test]
fn unknown_format_names_line() {
    let error = read_input("notes.txt", b"# comment\nhello world\n", ReadOptions::default()).expect_err("unknown");
    assert_eq!(error.location.line, Some(2));
    assert!(matches!(error.kind, InputErrorKind::UnknownFormat { .. }));
    let empty = read_input("empty.csv", b"", ReadOptions::default()).expect_err("empty");
    assert!(matches!(empty.kind, InputErrorKind::Empty));
    let binary = read_input("junk.bin", &[0x42, 0x4c, 0xff, 0xfe, 0x0a], ReadOptions::default()).expect_err("binary");
    assert!(matches!(binary.kind, InputErrorKind::NotUtf8 { offset: 2 }), "{binary}");
}
