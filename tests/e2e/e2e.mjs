// End-to-end tests of the web calculator: the release build in dist/ is
// served on 127.0.0.1 and driven in headless Chromium with playwright-core.
// Values read from the page are compared with the deepxs CLI on the same
// files. Screenshots of each view go to target/e2e-screenshots/.
//
// Environment: DEEPXS_CLI (path of the deepxs binary, default
// target/debug/deepxs), CHROMIUM (default /usr/bin/chromium),
// DEEPXS_SHARED (default ../shared), DEEPXS_REQUIRE_REFERENCE=1 to fail
// instead of skipping the steps that need the reference data,
// DEEPXS_E2E_CORES (the core count reported to the page, which sets the number of
// batch workers; default the browser's own).

import { chromium } from "playwright-core";
import { execFileSync, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import { extname, join, normalize, resolve } from "node:path";

const root = resolve(new URL("../..", import.meta.url).pathname);
const dist = join(root, "dist");
const screenshots = join(root, "target/e2e-screenshots");
const cli = process.env.DEEPXS_CLI || join(root, "target/debug/deepxs");
const shared = process.env.DEEPXS_SHARED || join(root, "../shared");
const reference = join(shared, "reference");
const requireReference = process.env.DEEPXS_REQUIRE_REFERENCE === "1";
// Number of cores reported to the page as navigator.hardwareConcurrency, to
// benchmark other numbers of batch workers; unset, the browser's own.
const reportedCores = Number(process.env.DEEPXS_E2E_CORES) || 0;

// The 19 canonical input columns, as the form names its fields.
const COLUMNS = ["U11", "U12", "V11", "V12", "N21", "N22", "N23", "N24", "m_chi20", "m_chi1pm", "m_1000001", "m_2000001",
  "m_2000002", "m_1000002", "m_1000003", "m_2000003", "m_1000004", "m_2000004", "m_gluino"];

// Rows of the throughput benchmark.
const BENCH_ROWS = 100000;
// Rows of the file that runs in the batch worker while the page is used.
const WORKER_ROWS = 200000;
// Rows of a file under the worker threshold (5 000 lines), computed on the page's thread.
const MAIN_THREAD_ROWS = 4000;

// Largest relative difference accepted between page and CLI values. The
// networks give the same f32 bits in wasm and natively (src/gemm.rs), but
// the f64 ln and exp of features, output maps and parton densities come
// from different maths libraries and may differ in the last bits.
const TOLERANCE = 1e-12;

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
  return execFileSync(cli, ["predict", "--weights", weights, ...args], { cwd: directory, encoding: "utf8", maxBuffer: 1 << 30 });
}

// Runs `deepxs predict` on inputs with bad rows, which makes it exit with
// status 1, and returns its output and its error messages without the
// program name.
function predictWithErrors(directory, args) {
  const weights = join(reference, "deepxs/networks");
  const run = spawnSync(cli, ["predict", "--weights", weights, ...args], { cwd: directory, encoding: "utf8", maxBuffer: 1 << 30 });
  const errors = run.stderr.split("\n").filter((line) => line.startsWith("deepxs: ") && !line.includes("input(s) failed"))
    .map((line) => line.slice("deepxs: ".length));
  return { status: run.status, stdout: run.stdout, errors };
}

// Reads the timing the page reports after a batch-worker job: total ms,
// ms of work in the workers and the number of workers.
function workerTiming(status) {
  const [, computeMs, workers, busyMs] =
    status.match(/Computed in (\d+) ms in (?:the background worker|(\d+) background workers) \((\d+) ms/) ?? [];
  return { computeMs: Number(computeMs), busyMs: Number(busyMs), workers: Number(workers ?? 1) };
}

function csvValue(csv, pair, column) {
  const [header, ...rows] = csv.trim().split("\n");
  const columns = header.split(",");
  const row = rows.map((line) => line.split(",")).find((fields) => fields[columns.indexOf("pair")] === pair);
  return Number(row[columns.indexOf(column)]);
}

// Compares two CSV outputs: same lines and text fields, numbers within TOLERANCE.
function compareCsv(page, cli) {
  if (page === cli) return { ok: true, message: "byte for byte" };
  const pageLines = page.split("\n");
  const cliLines = cli.split("\n");
  if (pageLines.length !== cliLines.length) {
    return { ok: false, message: `${pageLines.length} lines against ${cliLines.length}` };
  }
  let worst = 0;
  let differing = 0;
  for (let index = 0; index < cliLines.length; index += 1) {
    if (pageLines[index] === cliLines[index]) continue;
    differing += 1;
    const pageFields = pageLines[index].split(",");
    const cliFields = cliLines[index].split(",");
    for (let field = 0; field < cliFields.length; field += 1) {
      const a = pageFields[field];
      const b = cliFields[field];
      if (a === b) continue;
      const numbers = [Number(a), Number(b)];
      if (a === "" || b === "" || numbers.some((value) => !Number.isFinite(value))) {
        return { ok: false, message: `line ${index + 1} field ${field + 1}: '${a}' against '${b}'` };
      }
      worst = Math.max(worst, Math.abs(numbers[0] / numbers[1] - 1));
    }
  }
  return {
    ok: worst <= TOLERANCE,
    message: `${differing} of ${cliLines.length} lines differ in the last digits, largest relative difference ${worst.toExponential(2)}`,
  };
}

async function loadWeights(page) {
  const directory = join(reference, "deepxs/networks");
  const files = readdirSync(directory).filter((name) => name === "manifest.json" || name.endsWith(".safetensors"));
  await page.setInputFiles("#weights-input", files.map((name) => join(directory, name)));
  await page.waitForSelector("#weights-state.ok", { timeout: 30000 });
}

// Types a wino-like pMSSM point: M1 200, M2 400, mu 1500, tan beta 10,
// squark soft masses 2500 GeV, M3 3000 GeV.
async function fillPmssm(page) {
  const values = { M1: "200", M2: "400", mu: "1500", tan_beta: "10", m_Q: "2500", m_u: "2500", m_d: "2500", M3: "3000" };
  for (const [id, value] of Object.entries(values)) await page.fill(`#pmssm-${id}`, value);
}

// Measures, inside the page, how late a 10 ms timer fires at worst over
// `durationMs`, then how long a click on the form tab takes until the form
// is drawn. A long task on the page's thread shows up in both.
async function probeResponsiveness(page, durationMs) {
  return page.evaluate(async (duration) => {
    let timerLateMs = 0;
    const end = performance.now() + duration;
    while (performance.now() < end) {
      const before = performance.now();
      await new Promise((done) => setTimeout(done, 10));
      timerLateMs = Math.max(timerLateMs, performance.now() - before - 10);
    }
    const clicked = performance.now();
    document.querySelector("#tab-form").click();
    while (!document.querySelector("#field-U11")) await new Promise((done) => setTimeout(done, 0));
    return { timerLateMs, clickMs: performance.now() - clicked };
  }, durationMs);
}

async function progressValue(page, name) {
  return page.evaluate((file) => Number(document.querySelector(`article[data-file="${file}"] progress`)?.value ?? -1), name);
}

// A large file in the batch worker: progress advances, the page responds to input
// while it runs, the numbers equal the CLI's, and a second run is cancelled.
async function workerRun(page, work, table) {
  const name = "large.csv";
  writeFileSync(join(work, name), table(WORKER_ROWS));
  await page.click("#tab-files");
  await page.click("text=Clear");
  const uploadStarted = Date.now();
  await page.setInputFiles("#inputs-input", [join(work, name)]);
  await page.waitForSelector("#cancel-job", { timeout: 30000 });
  await page.waitForFunction((file) => Number(document.querySelector(`article[data-file="${file}"] progress`)?.value) > 0, name, { timeout: 60000 });
  const progressBefore = await progressValue(page, name);
  const probe = await probeResponsiveness(page, 1000);
  const progressAfter = await progressValue(page, name);
  check(progressAfter > progressBefore, `progress advances while the worker runs (${progressBefore} then ${progressAfter} of ${WORKER_ROWS} points)`);
  console.log(`benchmark: while the worker runs, a 10 ms timer on the page fires at worst ${probe.timerLateMs.toFixed(0)} ms late ` +
    `and a tab click is drawn in ${probe.clickMs.toFixed(0)} ms`);
  check(probe.clickMs < 200, `the page answers a click within 200 ms while the worker runs (${probe.clickMs.toFixed(0)} ms)`);

  // A spectrum typed in the form is computed on the page's thread meanwhile.
  await page.selectOption("#preset", "0");
  await page.click("#form-compute");
  await page.waitForSelector('tr[data-file="typed-spectrum"][data-pair="c1c1"] td.nlo', { timeout: 30000 });
  check((await page.locator("#cancel-job").count()) === 1, "a typed spectrum is computed while the worker still runs");
  await page.screenshot({ path: join(screenshots, "05-progress.png"), fullPage: true });

  await page.waitForSelector(`article[data-file="${name}"] table`, { timeout: 300000 });
  const wall = Date.now() - uploadStarted;
  const { computeMs, busyMs, workers } = workerTiming(await page.textContent(".status"));
  console.log(`benchmark: ${WORKER_ROWS} c1c1 rows read and predicted in ${computeMs} ms in ${workers} running batch worker(s) ` +
    `(${Math.round((WORKER_ROWS / computeMs) * 1000)} points/s; ${busyMs} ms of work in the workers), ${wall} ms from upload to drawn table`);

  await page.click('button[aria-label="Remove typed-spectrum"]');
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
  const exported = readFileSync(await download.path(), "utf8");
  const comparison = compareCsv(exported, predict(work, ["--format", "csv", name]));
  check(comparison.ok, `worker results of ${WORKER_ROWS} rows equal \`deepxs predict\` (${comparison.message})`);

  // The same rows on the page's thread give the same bytes as in the worker.
  const head = `${exported.split("\n").slice(0, 1 + 4 * MAIN_THREAD_ROWS).join("\n")}\n`;
  writeFileSync(join(work, name), table(MAIN_THREAD_ROWS));
  await page.click("text=Clear");
  await page.setInputFiles("#inputs-input", [join(work, name)]);
  await page.waitForSelector(`article[data-file="${name}"] table`, { timeout: 30000 });
  const [mainDownload] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
  check(readFileSync(await mainDownload.path(), "utf8") === head,
    `the first ${MAIN_THREAD_ROWS} rows computed on the page's thread equal the worker's byte for byte`);

  // Cancel a second run once it has made progress.
  writeFileSync(join(work, name), table(WORKER_ROWS));
  await page.click("text=Clear");
  await page.setInputFiles("#inputs-input", [join(work, name)]);
  await page.waitForFunction((file) => Number(document.querySelector(`article[data-file="${file}"] progress`)?.value) > 0, name, { timeout: 60000 });
  await page.click("#cancel-job");
  await page.waitForSelector(`article[data-file="${name}"] .file-error`, { timeout: 30000 });
  const cancelled = await page.textContent(`article[data-file="${name}"] .file-error`);
  const done = Number(cancelled.match(/after (\d+)/)?.[1]);
  check(cancelled.includes("Cancelled") && done < WORKER_ROWS, `a worker run can be cancelled (${cancelled.trim()})`);
  await page.waitForTimeout(500);
  check((await page.locator(`article[data-file="${name}"] table`).count()) === 0, "no result appears after the cancel");
}

// A large file with a bad row in its second half, so in a later part than
// the first: the page names the same line as the CLI, and the rows after
// it keep the CLI's row numbers.
async function badRowRun(page, work, table) {
  const name = "badrow.csv";
  const rows = 20000;
  const lines = table(rows).split("\n");
  const badLine = Math.floor(rows * 3 / 4) + 2;
  const fields = lines[badLine - 1].split(",");
  fields[4] = "12x4";
  lines[badLine - 1] = fields.join(",");
  writeFileSync(join(work, name), lines.join("\n"));
  await page.click("#tab-files");
  await page.click("text=Clear");
  await page.setInputFiles("#inputs-input", [join(work, name)]);
  await page.waitForSelector(`article[data-file="${name}"] table`, { timeout: 120000 });
  const pageErrors = await page.locator(`article[data-file="${name}"] .row-errors li`).allTextContents();
  const cli = predictWithErrors(work, ["--format", "csv", name]);
  check(cli.status === 1 && cli.errors.length === 1 && cli.errors[0].startsWith(`${name}:${badLine}:`),
    `the CLI reports the bad row on line ${badLine} (${cli.errors.join("; ")})`);
  check(pageErrors.length === 1 && pageErrors[0] === cli.errors[0],
    `a bad row in the second half of a split file names the CLI's line (page: ${pageErrors.join("; ")})`);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
  const comparison = compareCsv(readFileSync(await download.path(), "utf8"), cli.stdout);
  check(comparison.ok, `rows after the bad row keep the CLI's row numbers (${comparison.message})`);
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
  if (reportedCores) {
    // The page starts one batch worker per reported core, so this sets the
    // number of workers for a benchmark run.
    await context.addInitScript((cores) => Object.defineProperty(navigator, "hardwareConcurrency", { get: () => cores }), reportedCores);
  }
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
  console.log(`benchmark: page load to interactive app ${Date.now() - started} ms`);

  // The embedded set is the default: the page computes a file of the
  // project's own before any set is chosen, and agrees with the CLI's
  // default set. This needs no reference data.
  const embeddedState = (await page.textContent("#weights-state")) ?? "";
  check(embeddedState.includes("deepxs-train"), `the page starts with the embedded set (${embeddedState.slice(0, 80)}…)`);
  await page.setInputFiles("#inputs-input", [join(root, "tests/data/wino_lsp.slha")]);
  const embeddedCell = 'tr[data-file="wino_lsp.slha"][data-pair="c1c1"] td.nlo';
  await page.waitForSelector(embeddedCell, { timeout: 30000 });
  console.log(`benchmark: page load to first result with the embedded set ${Date.now() - started} ms (file chosen by the test at once)`);
  const embeddedNlo = Number(await page.getAttribute(embeddedCell, "data-pb"));
  const cliEmbedded = execFileSync(cli, ["predict", "--format", "csv", join(root, "tests/data/wino_lsp.slha")], { encoding: "utf8" });
  const cliEmbeddedNlo = csvValue(cliEmbedded, "c1c1", "nlo_pb");
  check(Math.abs(embeddedNlo / cliEmbeddedNlo - 1) <= TOLERANCE, `embedded set, wino_lsp.slha c1c1 NLO: page ${embeddedNlo} pb, CLI ${cliEmbeddedNlo} pb`);
  await page.click("text=Clear");

  if (haveReference) {
    await loadWeights(page);
    await page.setInputFiles("#inputs-input", [join(reference, "slha/sample_1.spc")]);
    await page.waitForSelector('tr[data-file="sample_1.spc"][data-pair="c1c1"] td.nlo', { timeout: 30000 });
    console.log(`benchmark: page load to first result ${Date.now() - started} ms (network set and file chosen by the test at once)`);
    await page.click("text=Clear");
  }
  await page.screenshot({ path: join(screenshots, "01-start.png"), fullPage: true });

  await page.click("#tab-form");
  await page.fill("#field-U11", "1.5");
  check((await page.textContent("#field-U11-error"))?.includes("[-1, 1]"), "form marks an out-of-range mixing element as you type");
  await page.selectOption("#preset", "1");
  check((await page.inputValue("#field-m_chi20")) === "-305", "higgsino preset fills the form");
  await page.screenshot({ path: join(screenshots, "02-form.png"), fullPage: true });

  // pMSSM parameters: a wino-like point puts χ̃±₁ within a few GeV of |M₂|.
  await page.click("#tab-pmssm");
  await page.fill("#pmssm-tan_beta", "-2");
  await page.click("#pmssm-compute");
  check((await page.textContent("#pmssm-error"))?.includes("tan β"), "pMSSM mode shows an invalid tan β next to the form");
  await fillPmssm(page);
  await page.click("#pmssm-compute");
  await page.waitForSelector("table.tree-level-values", { timeout: 30000 });
  check((await page.textContent("table.tree-level-values caption")).includes("tree-level spectrum"), "pMSSM values are labelled as tree level");
  await page.click("#tab-form");
  const treeChargino = Number(await page.inputValue("#field-m_chi1pm"));
  check(Math.abs(treeChargino - 400) < 10, `pMSSM mode fills m_chi1pm = ${treeChargino} GeV, near |M2| = 400 GeV`);
  check((await page.textContent("#form-origin"))?.includes("tree-level spectrum"), "the form says it was filled from the tree-level spectrum");
  await page.screenshot({ path: join(screenshots, "02-pmssm.png"), fullPage: true });
  await page.click("text=Clear");
  await page.click("#tab-exact-lo");
  await page.click("#lo-compute");
  check((await page.textContent("#lo-error"))?.includes("Load an LHAPDF6 set"), "exact LO without a PDF set shows an error next to the form");

  if (!haveReference) {
    console.log(`skipped: the steps with the reference networks and the exact-LO steps with CTEQ6L1, reference data not found at ${reference} (set DEEPXS_SHARED)`);
  } else {
    const work = mkdtempSync(join(tmpdir(), "deepxs-e2e-"));
    copyFileSync(join(reference, "slha/sample_1.spc"), join(work, "sample_1.spc"));
    copyFileSync(join(reference, "slha/sample_2.spc"), join(work, "sample_2.spc"));
    const testRows = readFileSync(join(reference, "deepxs/testsets/n2n2_test.csv"), "utf8").split("\n");
    writeFileSync(join(work, "points.csv"), `${testRows.slice(0, 301).join("\n")}\n`);
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

    // Exact LO with CTEQ6L1 for sample_1.spc, against `deepxs lo`.
    const pdfDirectory = join(reference, "pdf/cteq6l1");
    await page.click("#tab-exact-lo");
    await page.setInputFiles("#pdf-input", readdirSync(pdfDirectory).map((name) => join(pdfDirectory, name)));
    await page.waitForSelector("#pdf-state.ok", { timeout: 60000 });
    await page.selectOption("#lo-source", { label: "sample_1.spc" });
    await page.fill("#lo-sqrts", "13000");
    await page.click("#lo-compute");
    const loCell = 'table.lo-results tr[data-pair="c1c1"] td.lo';
    await page.waitForSelector(loCell, { timeout: 60000 });
    check((await page.locator("table.lo-results tbody tr").count()) === 29, "exact LO shows 29 pairs");
    const pageLo = Number(await page.getAttribute(loCell, "data-pb"));
    const pageLoDegenerate = Number(await page.getAttribute('table.lo-results tr[data-pair="c1c1"] td.lo-degenerate', "data-pb"));
    const cliLoCsv = execFileSync(cli, ["lo", "--pdf", pdfDirectory, "--pairs", "c1c1", "--format", "csv", "sample_1.spc"], { cwd: work, encoding: "utf8" });
    const cliLo = csvValue(cliLoCsv, "c1c1", "lo_pb");
    const cliLoDegenerate = csvValue(cliLoCsv, "c1c1", "lo_degenerate_pb");
    check(Math.abs(pageLo / cliLo - 1) <= TOLERANCE, `sample_1.spc c1c1 exact LO: page ${pageLo} pb, CLI ${cliLo} pb`);
    check(Math.abs(pageLoDegenerate / cliLoDegenerate - 1) <= TOLERANCE,
      `sample_1.spc c1c1 exact LO, degenerate squarks: page ${pageLoDegenerate} pb, CLI ${cliLoDegenerate} pb`);
    await page.screenshot({ path: join(screenshots, "03-exact-lo.png"), fullPage: true });
    await page.click("#tab-files");

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
    // The layout is the CLI's own code (tests/web_export.rs checks the bytes
    // natively); the numbers may differ in the last bits, see TOLERANCE.
    const cliCsv = predict(work, ["--format", "csv", ...inputs]);
    const comparison = compareCsv(exported, cliCsv);
    check(comparison.ok, `CSV export equals \`deepxs predict --format csv\` (${comparison.message})`);
    if (!comparison.ok) {
      writeFileSync(join(screenshots, "export-page.csv"), exported);
      writeFileSync(join(screenshots, "export-cli.csv"), cliCsv);
      console.log(`the two CSV files are in ${screenshots}`);
    }

    // Throughput: 100 000 rows of the c1c1 test set, repeated. The file is
    // the first large one, so the batch worker starts with it.
    const lines = readFileSync(join(reference, "deepxs/testsets/c1c1_test.csv"), "utf8").trim().split("\n");
    const table = (rows) => {
      const body = [];
      while (body.length < rows) body.push(...lines.slice(1, 1 + rows - body.length));
      return `${lines[0]}\n${body.join("\n")}\n`;
    };
    writeFileSync(join(work, "bench.csv"), table(BENCH_ROWS));
    await page.click("text=Clear");
    const uploadStarted = Date.now();
    await page.setInputFiles("#inputs-input", [join(work, "bench.csv")]);
    await page.waitForSelector('article[data-file="bench.csv"] table', { timeout: 120000 });
    const wall = Date.now() - uploadStarted;
    const { computeMs, busyMs, workers } = workerTiming(await page.textContent(".status"));
    check(computeMs > 0, `a file of ${BENCH_ROWS} rows is computed in the background workers`);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    check(workers === Math.max(1, Math.min(cores, 4)), `the file is split over min(cores, 4) workers (${workers} workers, ${cores} cores)`);
    console.log(`benchmark: ${BENCH_ROWS} c1c1 rows read and predicted in ${computeMs} ms in ${workers} batch worker(s), worker start included ` +
      `(${Math.round((BENCH_ROWS / computeMs) * 1000)} points/s; ${busyMs} ms of work in the workers), ${wall} ms from upload to drawn table`);

    await workerRun(page, work, table);
    await badRowRun(page, work, table);

    // Files at or below the worker threshold are computed on the page's thread.
    writeFileSync(join(work, "small.csv"), table(MAIN_THREAD_ROWS));
    await page.click("text=Clear");
    await page.setInputFiles("#inputs-input", [join(work, "small.csv")]);
    await page.waitForSelector('article[data-file="small.csv"] table', { timeout: 30000 });
    const smallStatus = await page.textContent(".status");
    check(!smallStatus.includes("background worker"), `a file of ${MAIN_THREAD_ROWS} rows is computed on the page's thread (${smallStatus})`);
    const smallMs = Number(smallStatus.match(/Computed in (\d+) ms/)?.[1]);
    console.log(`benchmark: ${MAIN_THREAD_ROWS} c1c1 rows read and predicted in ${smallMs} ms on the page's thread ` +
      `(${Math.round((MAIN_THREAD_ROWS / smallMs) * 1000)} points/s)`);

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

    await page.click("#tab-pmssm");
    await fillPmssm(page);
    await page.click("#pmssm-compute");
    const treeCell = 'tr[data-file="pmssm-tree-level"][data-pair="c1c1"] td.nlo';
    await page.waitForSelector(treeCell, { timeout: 30000 });
    const treeNlo = Number(await page.getAttribute(treeCell, "data-pb"));
    await page.click("#tab-form");
    const treeValues = await Promise.all(COLUMNS.map((name) => page.inputValue(`#field-${name}`)));
    writeFileSync(join(work, "tree.csv"), `${COLUMNS.join(",")}\n${treeValues.join(",")}\n`);
    const cliTree = csvValue(predict(work, ["--format", "csv", "tree.csv"]), "c1c1", "nlo_pb");
    check(Math.abs(treeNlo / cliTree - 1) <= TOLERANCE, `pMSSM tree-level spectrum c1c1 NLO: page ${treeNlo} pb, CLI ${cliTree} pb`);
    await page.fill("#scan-steps", "40");
    await page.click("#scan-run");
    await page.waitForSelector(".scan figure.chart polyline", { timeout: 30000 });
    check((await page.locator(".scan figure.chart polyline").count()) === 8, "scan draws LO and NLO curves for the four pairs");
    await page.screenshot({ path: join(screenshots, "06-scan.png"), fullPage: true });

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
    writeFileSync(join(work, "offline.csv"), table(6000));
    await page.setInputFiles("#inputs-input", [join(work, "offline.csv")]);
    await page.waitForSelector('article[data-file="offline.csv"] table', { timeout: 60000 });
    check((await page.textContent(".status")).includes("background worker"), "offline after first load: the batch worker starts and computes");
    await page.screenshot({ path: join(screenshots, "07-offline.png"), fullPage: true });
  }

  const gzipKiB = (names) => names.map((name) => gzipSync(readFileSync(join(dist, name)), { level: 9 }).length)
    .reduce((sum, size) => sum + size, 0) / 1024;
  const pageKiB = gzipKiB(["deepxs-web_bg.wasm", "deepxs-web.js", "boot.js"]);
  const workerKiB = gzipKiB(["deepxs-worker_bg.wasm", "deepxs-worker.js", "deepxs-worker_loader.js"]);
  console.log(`benchmark: gzip -9 size of wasm + js ${(pageKiB + workerKiB).toFixed(0)} KiB ` +
    `(page ${pageKiB.toFixed(0)} KiB, batch worker ${workerKiB.toFixed(0)} KiB)`);

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
