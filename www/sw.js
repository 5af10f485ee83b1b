// Service worker: keeps the app's own files in a cache so the page loads
// and computes without network. Files are served from the cache first and
// refreshed from the server when it responds.
const CACHE = "deepxs-web-v2";
const FILES = [
  "./",
  "./index.html",
  "./boot.js",
  "./deepxs-web.js",
  "./deepxs-web_bg.wasm",
  "./deepxs-worker_loader.js",
  "./deepxs-worker.js",
  "./deepxs-worker_bg.wasm",
  "./style.css",
  "./manifest.webmanifest",
  "./icon.svg",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const cached = await cache.match(request, { ignoreSearch: true });
      const refreshed = fetch(request)
        .then((response) => {
          if (response.ok) {
            cache.put(request, response.clone());
          }
          return response;
        })
        .catch(() => undefined);
      if (cached) {
        return cached;
      }
      const response = await refreshed;
      return response || new Response("offline and not cached", { status: 503 });
    }),
  );
});
