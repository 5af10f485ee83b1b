//! Entry point of the web calculator's batch worker, a Web Worker built for
//! wasm32 by Trunk next to the page (`scripts/serve.sh`). A native build
//! only explains that.

#[cfg(target_arch = "wasm32")]
fn main() {
    deepxs::web::worker::register();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("deepxs-worker is the web calculator's batch worker; build and serve it with scripts/serve.sh");
    std::process::exit(2);
}
