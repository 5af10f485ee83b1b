//! Embeds the project's own network set from `weights/` into the library:
//! `manifest.json` and every `.safetensors` file found there. Without a
//! manifest the build embeds nothing and the library reports that no
//! embedded set exists.

use std::env;
use std::fs;
use std::path::Path;

fn main() {
    let weights = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("weights");
    println!("cargo:rerun-if-changed=weights");
    let mut code = String::from("/// Embedded network files as (file name, bytes).\npub static EMBEDDED_FILES: &[(&str, &[u8])] = &[\n");
    if weights.join("manifest.json").is_file() {
        let mut names: Vec<String> = fs::read_dir(&weights)
            .expect("weights/ is readable")
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name == "manifest.json" || name.ends_with(".safetensors"))
            .collect();
        names.sort();
        for name in names {
            let path = weights.join(&name);
            println!("cargo:rerun-if-changed={}", path.display());
            code.push_str(&format!("    ({name:?}, include_bytes!({:?})),\n", path.display().to_string()));
        }
    }
    code.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_weights.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
