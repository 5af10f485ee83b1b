// Starts the calculator and registers the service worker for offline use.
// Kept in a file of its own because the page's CSP forbids inline scripts.
import init from "./deepxs-web.js";

await init({ module_or_path: new URL("./deepxs-web_bg.wasm", import.meta.url) });
window.deepxsStartedMs = performance.now();

if ("serviceWorker" in navigator && location.protocol !== "file:") {
  navigator.serviceWorker.register("./sw.js").catch((error) => {
    console.warn("service worker not registered:", error);
  });
}
