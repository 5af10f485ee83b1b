//! Entry point of the web calculator, built for wasm32 by Trunk
//! (`scripts/serve.sh`). A native build only explains that.

#[cfg(target_arch = "wasm32")]
fn main() {
    deepxs::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("deepxs-web is the browser app; build and serve it with scripts/serve.sh");
    std::process::exit(2);
}
