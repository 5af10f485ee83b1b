//! The project's network set, embedded at build time by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/embedded_weights.rs"));
