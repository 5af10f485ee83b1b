//! The project's network set, embedded at build time by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/embedded_weights.rs"));

/// Returns the embedded files as (file name, bytes), each exactly as it is
/// in `weights/`.
pub fn embedded_files() -> Vec<(&'static str, Vec<u8>)> {
    EMBEDDED_FILES
        .iter()
        .map(|&(name, grouped_start, bytes)| match grouped_start {
            Some(start) => {
                let mut file = bytes[..start].to_vec();
                file.extend(ungroup_bytes(&bytes[start..]));
                (name, file)
            }
            None => (name, bytes.to_vec()),
        })
        .collect()
}

/// Reverses `build.rs`'s grouping of each 4-byte word's bytes by position.
fn ungroup_bytes(grouped: &[u8]) -> Vec<u8> {
    let words = grouped.len() / 4;
    let mut data = vec![0u8; grouped.len()];
    for position in 0..4 {
        for (word, &byte) in grouped[position * words..(position + 1) * words].iter().enumerate() {
            data[4 * word + position] = byte;
        }
    }
    data[4 * words..].copy_from_slice(&grouped[4 * words..]);
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Groups bytes as the build script does, to test the round trip.
    fn group_bytes(data: &[u8]) -> Vec<u8> {
        let whole = data.len() / 4 * 4;
        let mut grouped = Vec::new();
        for position in 0..4 {
            grouped.extend(data[..whole].iter().skip(position).step_by(4));
        }
        grouped.extend(&data[whole..]);
        grouped
    }

    #[test]
    fn ungrouping_restores_bytes() {
        for length in [0, 1, 3, 4, 5, 8, 13, 400] {
            let data: Vec<u8> = (0..length).map(|index| (index * 37 % 251) as u8).collect();
            assert_eq!(ungroup_bytes(&group_bytes(&data)), data, "length {length}");
        }
    }
}
