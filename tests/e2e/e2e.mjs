// End-to-end tests of the web calculator: the release build in dist/ is
// served on 127.0.0.1 and driven in headless Chromium with playwright-core.
// Values read from the page are compared with the deepxs CLI on the same
// files. Screenshots of each view go to target/e2e-screenshots/.
//
// Environment: DEEPXS_CLI (path of the deepxs binary, default
// target/debug/deepxs), CHROMIUM (default /usr/bin/chromium),
// DEEPXS_SHARED (default ../shared), DEEPXS_REQUIRE_REFERENCE=1 to fail
// instead of skipping the steps that need the reference data.

import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";

const root = resolve(new URL("../..", import.meta.url).pathname);
const dist = join(root, "dist");
const screenshots = join(root, "target/e2e-screenshots");
const cli = process.env.DEEPXS_CLI || join(root, "target/debug/deepxs");
const shared = process.env.DEEPXS_SHARED || join(root, "../shared");
const reference = join(shared, "reference");
const requireReference = process.env.DEEPXS_REQUIRE_REFERENCE === "1";

// The 19 canonical input columns, as the form names its fields.
const COLUMNS = ["U11", "U12", "V11", "V12", "N21", "N22", "N23", "N24", "m_chi20", "m_chi1pm", "m_1000001", "m_2000001",
  "m_2000002", "m_1000002", "m_1000003", "m_2000003", "m_1000004", "m_2000004", "m_gluino"];

// Largest relative difference accepted between page and CLI values.
const TOLERANCE = 1e-6;

let failures = 0;
function check(condition, message) {
  if (condition) {
    console.log(`ok: ${message}`);
  } else {
    console.log(`FAILED: ${message}`);
    failures += 1;
  }
}

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".webmanifest": "application/manifest+json",
};

// Serves dist/ on 127.0.0.1 on a free port.
function serve() {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://127.0.0.1").pathname);
    let file = normalize(join(dist, path));
    if (!file.startsWith(dist)) {
      response.writeHead(403).end();
      return;
    }
    if (path.endsWith("/")) file = join(file, "index.html");
    if (!existsSync(file)) {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": MIME[extname(file)] || "application/octet-stream" });
    response.end(readFileSync(file));
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done(server)));
}

// Runs `deepxs predict` in `directory` and returns its standard output.
function predict(directory, args) {
  const weights = join(reference, "deepxs/networks");
  return execFileSync(cli, ["predict", "--weights", weights, ...args], { cwd: directory, encoding: "utf8" });
}

function csvValue(csv, pair, column) {
  const [header, ...rows] = csv.trim().split("\n");
  const columns = header.split(",");
  const row = rows.map((line) => line.split(",")).find((fields) => fields[columns.indexOf("pair")] === pair);
  return Number(row[columns.indexOf(column)]);
}

async function loadWeights(page) {
  const directory = join(reference, "deepxs/networks");
  const files = readdirSync(directory).filter((name) => name === "manifest.json" || name.endsWith(".safetensors"));
  await page.setInputFiles("#weights-input", files.map((name) => join(directory, name)));
  await page.waitForSelector("#weights-state.ok", { timeout: 30000 });
}

async function main() {
  if (!existsSync(join(dist, "index.html"))) {
    throw new Error(`no build at ${dist}; run scripts/serve.sh --build-only first`);
  }
  const haveReference = existsSync(reference);
  if (!haveReference && requireReference) {
    throw new Error(`reference data not found at ${reference} but DEEPXS_REQUIRE_REFERENCE=1`);
  }
  mkdirSync(screenshots, { recursive: true });
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const foreign = [];
  context.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(base) && !url.startsWith("blob:") && !url.startsWith("data:")) foreign.push(url);
  });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(String(error)));

  const started = Date.now();
  await page.goto(base);
  await page.waitForSelector("#weights-input", { state: "attached", timeout: 30000 });
  console.log(`page load to interactive app: ${Date.now() - started} ms`);
  await page.screenshot({ path: join(screenshots, "01-start.png"), fullPage: true });

  await page.click("#tab-form");
  await page.fill("#field-U11", "1.5");
  check((await page.textContent("#field-U11-error"))?.includes("[-1, 1]"), "form marks an out-of-range mixing element as you type");
  await page.selectOption("#preset", "1");
  check((await page.inputValue("#field-m_chi20")) === "-305", "higgsino preset fills the form");
  await page.screenshot({ path: join(screenshots, "02-form.png"), fullPage: true });
  await page.click("#tab-exact-lo");
  check((await page.textContent(".unavailable"))?.includes("not available in this build"), "exact LO says it is not available");

  if (!haveReference) {
    console.log(`skipped: the steps with the reference networks, reference data not found at ${reference} (set DEEPXS_SHARED)`);
  } else {
    const work = mkdtempSync(join(tmpdir(), "deepxs-e2e-"));
    copyFileSync(join(reference, "slha/sample_1.spc"), join(work, "sample_1.spc"));
    copyFileSync(join(reference, "slha/sample_2.spc"), join(work, "sample_2.spc"));
    copyFileSync(join(reference, "deepxs/testsets/generated_reference.csv"), join(work, "points.csv"));
    writeFileSync(join(work, "broken.slha"), "BLOCK MASS\n  1000024  not-a-number\n");

    await loadWeights(page);
    await page.click("#tab-files");
    await page.setInputFiles("#inputs-input", [join(work, "sample_1.spc")]);
    const cell = 'tr[data-file="sample_1.spc"][data-pair="c1c1"] td.nlo';
    await page.waitForSelector(cell, { timeout: 30000 });
    const pageNlo = Number(await page.getAttribute(cell, "data-pb"));
    const cliNlo = csvValue(predict(work, ["--format", "csv", "sample_1.spc"]), "c1c1", "nlo_pb");
    check(Math.abs(pageNlo / cliNlo - 1) <= TOLERANCE, `sample_1.spc c1c1 NLO: page ${pageNlo} pb, CLI ${cliNlo} pb`);
    await page.click('input[name="unit"][value="fb"]');
    const shown = Number((await page.textContent(cell)).trim());
    check(Math.abs(shown / (cliNlo * 1000) - 1) < 1e-3, `fb toggle shows ${shown} fb`);
    await page.screenshot({ path: join(screenshots, "03-results.png"), fullPage: true });

    await page.click("text=Clear");
    await page.setInputFiles("#inputs-input", [join(work, "broken.slha"), join(work, "sample_2.spc")]);
    await page.waitForSelector('article[data-file="sample_2.spc"] table', { timeout: 30000 });
    await page.waitForSelector('article[data-file="broken.slha"] .file-error', { timeout: 30000 });
    check((await page.locator(".file-error").count()) === 1, "broken file with a good one: one error");
    check((await page.locator("table.results").count()) === 1, "broken file with a good one: one result table");
    check((await page.textContent('article[data-file="broken.slha"] .file-error')).includes("broken.slha"), "the error names the file");
    await page.screenshot({ path: join(screenshots, "04-error.png"), fullPage: true });

    await page.click("text=Clear");
    const inputs = ["sample_1.spc", "points.csv", "sample_2.spc"];
    await page.setInputFiles("#inputs-input", inputs.map((name) => join(work, name)));
    for (const name of inputs) {
      await page.waitForSelector(`article[data-file="${name}"] table`, { timeout: 30000 });
    }
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
    const exported = readFileSync(await download.path(), "utf8");
    check(exported === predict(work, ["--format", "csv", ...inputs]), "CSV export equals `deepxs predict --format csv` byte for byte");

    await page.click("#tab-form");
    await page.selectOption("#preset", "0");
    await page.click("#form-compute");
    const typed = 'tr[data-file="typed-spectrum"][data-pair="c1c1"] td.nlo';
    await page.waitForSelector(typed, { timeout: 30000 });
    const typedNlo = Number(await page.getAttribute(typed, "data-pb"));
    await page.click("#tab-form");
    const values = await Promise.all(COLUMNS.map((name) => page.inputValue(`#field-${name}`)));
    writeFileSync(join(work, "typed.csv"), `${COLUMNS.join(",")}\n${values.join(",")}\n`);
    const cliTyped = csvValue(predict(work, ["--format", "csv", "typed.csv"]), "c1c1", "nlo_pb");
    check(Math.abs(typedNlo / cliTyped - 1) <= TOLERANCE, `typed spectrum c1c1 NLO: page ${typedNlo} pb, CLI ${cliTyped} pb`);
    await page.fill("#scan-steps", "40");
    await page.click("#scan-run");
    await page.waitForSelector(".scan figure.chart polyline", { timeout: 30000 });
    check((await page.locator(".scan figure.chart polyline").count()) === 8, "scan draws LO and NLO curves for the four pairs");
    await page.screenshot({ path: join(screenshots, "05-scan.png"), fullPage: true });

    // Offline: with the service worker in control, stop the server and reload.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.reload();
    await page.waitForSelector("#weights-input", { state: "attached", timeout: 30000 });
    await new Promise((done) => server.close(done));
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector("#weights-input", { state: "attached", timeout: 30000 });
    await loadWeights(page);
    await page.setInputFiles("#inputs-input", [join(work, "sample_1.spc")]);
    await page.waitForSelector(cell, { timeout: 30000 });
    const offlineNlo = Number(await page.getAttribute(cell, "data-pb"));
    check(Math.abs(offlineNlo / cliNlo - 1) <= TOLERANCE, "offline after first load: page still loads and computes");
    await page.screenshot({ path: join(screenshots, "06-offline.png"), fullPage: true });
  }

  check(foreign.length === 0, `no request left 127.0.0.1 (${foreign.join(", ") || "none"})`);
  check(pageErrors.length === 0, `no script errors on the page (${pageErrors.join("; ") || "none"})`);
  await browser.close();
  server.close();
  console.log(`screenshots in ${screenshots}`);
  if (failures > 0) {
    console.log(`${failures} check(s) failed`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
