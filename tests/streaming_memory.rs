//! `deepxs predict -` streams a CSV table from standard input in chunks, so
//! its peak memory does not grow with the number of rows.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::tiny_weights::tiny_weight_files;

const HEADER: &str = "U11,U12,V11,V12,m_chi1pm,m_1000001,m_2000001,m_2000002,m_1000002,m_1000003,m_2000003,m_1000004,m_2000004,m_gluino";
const ROW: &str = "-0.9,0.4358898944,-0.92,0.3919183588,441.0,2000,2001,2002,2003,2004,2005,2006,2007,1800";

/// Peak resident memory (VmHWM) of a running process in KiB, from /proc.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Streams `rows` CSV rows through the CLI and returns (peak RSS in KiB,
/// output lines).
fn stream_rows(rows: usize) -> (u64, usize) {
    let directory = std::env::temp_dir().join(format!("deepxs-stream-{}-{rows}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("scratch directory");
    let (manifest, files) = tiny_weight_files();
    std::fs::write(directory.join("manifest.json"), manifest).expect("manifest");
    for (name, bytes) in files {
        std::fs::write(directory.join(format!("{name}.safetensors")), bytes).expect("network");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_deepxs"))
        .args(["predict", "--weights", &directory.display().to_string(), "--pairs", "c1c1", "--format", "csv", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("deepxs starts");
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let mut buffer = std::io::BufWriter::new(&mut stdin);
        writeln!(buffer, "{HEADER}").expect("write header");
        for _ in 0..rows {
            writeln!(buffer, "{ROW}").expect("write row");
        }
    });
    let stdout = child.stdout.take().expect("stdout");
    let counter = std::thread::spawn(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout).lines().count()
    });
    writer.join().expect("writer finishes");
    // Sample the peak before the process exits and its /proc entry goes.
    let mut peak = 0;
    while let Ok(None) = child.try_wait() {
        peak = peak.max(peak_rss_kib(pid).unwrap_or(0));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let lines = counter.join().expect("reader finishes");
    let _ = std::fs::remove_dir_all(directory);
    (peak, lines)
}

#[test]
fn stdin_memory_independent_of_rows() {
    let (small_peak, small_lines) = stream_rows(200_000);
    let (large_peak, large_lines) = stream_rows(1_600_000);
    assert_eq!(small_lines, 200_001);
    assert_eq!(large_lines, 1_600_001);
    println!("peak RSS: {small_peak} KiB for 2e5 rows, {large_peak} KiB for 1.6e6 rows");
    // Eight times the rows may not cost more than 30 % more memory; the
    // allocator's per-thread arenas still grow a little after the first chunks.
    assert!(large_peak as f64 <= small_peak as f64 * 1.3, "{small_peak} KiB → {large_peak} KiB");
}

/// Checks the full size: 10⁷ rows (about 0.9 GB of text) in constant memory.
/// Run with `cargo test --release --test streaming_memory -- --ignored`.
#[test]
#[ignore = "streams 10^7 rows; takes minutes"]
fn stdin_ten_million_rows() {
    let (peak, lines) = stream_rows(10_000_000);
    assert_eq!(lines, 10_000_001);
    println!("peak RSS for 1e7 rows: {peak} KiB");
    assert!(peak < 200 * 1024, "peak RSS {peak} KiB");
}
