// What every browser-flow script shares: its environment, one headless Chromium (playwright-core) per
// run, step screenshots, and the one-line JSON report the Rust harness (tests/src/lib.rs) reads.
//
// A script defines its flows and calls `runFlow(FLOWS)`: the flow named by FLOW runs, and ONE JSON object
// is printed on stdout:
//   { flow, error: null | { name, message }, finalUrl, steps: [...], navigations: [...],
//     pageErrors: [...], failedRequests: [...], ...values of the flow }
// where every step is { name, url, screenshot, title, h1, lang, errors } and `errors` lists the visible
// error texts on the page (elements #error, .error, [role=alert]). A failing flow still prints the object
// (with `error` set and a `failure` screenshot) and exits 0, so the Rust side can show what happened; the
// exit code is non-zero only when the script could not run at all. Diagnostics go to stderr.
//
// Environment: FLOW, SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium), STEP_TIMEOUT_MS (each wait;
// default 20000), FLOW_TIMEOUT_MS (the whole flow; default 90000), SHOT_PREFIX (screenshot names; default
// the flow's name), JAVASCRIPT=off (run the pages with JavaScript disabled).
//
// The bindings below are live: a script reads `page`, `context` and `result` after `runFlow` set them.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// playwright's messages carry terminal colours.
export const stripAnsi = (text) => String(text).replace(/\u001b\[[0-9;]*m/g, '');

let knownFlows = [];

export function env(name, fallback) {
  const value = process.env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback !== undefined) return fallback;
  usage(`${name} is not set`);
}

function usage(message) {
  process.stderr.write(`${message}\nflows: ${knownFlows.join(', ')}\n`);
  process.exit(2);
}

export function log(...parts) {
  process.stderr.write(`[${new Date().toISOString()}] ${parts.join(' ')}\n`);
}

export const stepTimeout = Number(env('STEP_TIMEOUT_MS', '20000'));
const flowTimeout = Number(env('FLOW_TIMEOUT_MS', '90000'));
const chromiumPath = env('CHROMIUM', '/usr/bin/chromium');

export let flowName;
export let result;
export let context;
export let page;

let screenshotDir;
let shotPrefix;
let userDataDir;
let finished = false;
let stepNumber = 0;

/** `promise`, or `fallback` once `ms` have passed (for reading a page that may hang). */
export function withTimeout(promise, ms, fallback) {
  let timer;
  const expired = new Promise((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([Promise.resolve(promise).catch(() => fallback), expired]).finally(() => clearTimeout(timer));
}

/**
 * How long reading the page for a step report may take (a page stuck loading can block it): as long as any
 * other wait, since the reports are asserted on and a loaded machine reads slowly.
 */
export const READ_TIMEOUT = stepTimeout;

/** Visible error texts on the page. */
async function visibleErrors() {
  return page
    .locator('#error, .error, [role=alert]')
    .evaluateAll((elements) =>
      elements
        .filter((el) => {
          const style = getComputedStyle(el);
          const box = el.getBoundingClientRect();
          return style.display !== 'none' && style.visibility !== 'hidden' && box.width > 0 && box.height > 0;
        })
        .map((el) => el.innerText.trim())
        .filter((text) => text !== ''),
    )
    .catch((error) => [`(could not read the page: ${error.message})`]);
}

/** The text of the first element matching `selector`, or null. */
export async function text(selector) {
  const locator = page.locator(selector);
  if ((await locator.count()) === 0) return null;
  return (await locator.first().innerText()).trim();
}

/** Screenshot + what the page shows, as one step of the result. */
export async function step(name) {
  stepNumber += 1;
  const file = join(screenshotDir, `${shotPrefix}-${String(stepNumber).padStart(2, '0')}-${name}.png`);
  const info = { name, url: page.url(), screenshot: file };
  try {
    await page.screenshot({ path: file, fullPage: true, timeout: Math.min(stepTimeout, 15000) });
  } catch (error) {
    info.screenshotError = stripAnsi(error.message);
  }
  info.title = await withTimeout(page.title(), READ_TIMEOUT, null);
  info.h1 = await withTimeout(text('h1'), READ_TIMEOUT, null);
  info.lang = await withTimeout(page.locator('html').getAttribute('lang', { timeout: READ_TIMEOUT }), READ_TIMEOUT, null);
  info.errors = await withTimeout(visibleErrors(), READ_TIMEOUT, ['(could not read the page in time)']);
  result.steps.push(info);
  log(`step ${stepNumber} ${name}: ${info.url} h1=${JSON.stringify(info.h1)} errors=${JSON.stringify(info.errors)}`);
  return info;
}

export async function waitFor(selector) {
  await page.locator(selector).first().waitFor({ state: 'visible', timeout: stepTimeout });
}

export async function cookies(prefix) {
  const all = await context.cookies();
  return prefix === undefined ? all : all.filter((c) => c.name.startsWith(prefix));
}

export const cookieSummary = (list) =>
  list.map(({ name, value, domain, path, httpOnly, secure, sameSite, expires }) => ({
    name,
    // The length only: values are tokens.
    size: name.length + value.length,
    domain,
    path,
    httpOnly,
    secure,
    sameSite,
    expires,
  }));

function describeError(error) {
  if (error === null || typeof error !== 'object') return { name: 'Error', message: stripAnsi(error) };
  return { name: error.name ?? 'Error', message: stripAnsi(error.message ?? error) };
}

async function closeBrowser() {
  if (context) {
    const closing = context;
    context = undefined;
    await Promise.race([closing.close().catch(() => {}), new Promise((r) => setTimeout(r, 10000))]);
  }
  if (userDataDir) {
    rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
    userDataDir = undefined;
  }
}

async function finish(exitCode = 0) {
  if (finished) return;
  finished = true;
  result.finalUrl = page ? page.url() : null;
  await closeBrowser();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(exitCode);
}

let failure; // the report of the first failure, once started

/** Records the first failure (a deadline and the step it interrupted both end up here) and
 * photographs the page; resolves when that report is done. */
function fail(error) {
  log(`flow ${flowName} failed: ${error?.stack ?? error}`);
  if (!failure) {
    result.error = describeError(error);
    failure = page ? withTimeout(step('failure'), 30000, null) : Promise.resolve();
  }
  return failure;
}

/** Runs the flow FLOW names (one of `flows`, name → async function) in a fresh headless Chromium, with
 * `fields` added to the report, and exits after printing it. */
export async function runFlow(flows, fields = {}) {
  knownFlows = Object.keys(flows);
  flowName = env('FLOW');
  const flow = flows[flowName] ?? usage(`unknown FLOW ${flowName}`);
  screenshotDir = env('SCREENSHOT_DIR');
  shotPrefix = env('SHOT_PREFIX', flowName);
  const javaScriptEnabled = env('JAVASCRIPT', 'on') !== 'off';

  // Loaded after the environment is checked, so a usage error does not need the package.
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (error) {
    process.stderr.write(
      `cannot load playwright-core (${error.message}): run scripts/test, which installs Chromium and playwright-core\n`,
    );
    process.exit(3);
  }

  result = {
    flow: flowName,
    ...fields,
    javaScriptEnabled,
    error: null,
    finalUrl: null,
    steps: [],
    navigations: [],
    pageErrors: [],
    failedRequests: [],
  };

  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, async () => {
      await fail(new Error(`interrupted by ${signal}`));
      await finish(1);
    });
  }

  const deadline = setTimeout(async () => {
    await fail(new Error(`flow ${flowName} did not finish within ${flowTimeout} ms`));
    await finish(0);
  }, flowTimeout);

  try {
    mkdirSync(screenshotDir, { recursive: true });
    userDataDir = mkdtempSync(join(tmpdir(), `amplify-e2e-${flowName}-`));
    const started = Date.now();
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      chromiumSandbox: false, // adds --no-sandbox (we run as root)
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1000, height: 700 },
      javaScriptEnabled,
      timeout: 60000,
    });
    result.browserVersion = context.browser()?.version() ?? null;
    log(`chromium ${result.browserVersion ?? ''} started in ${Date.now() - started} ms`);
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(stepTimeout);
    page.setDefaultNavigationTimeout(stepTimeout);
    page.on('response', (response) => {
      const request = response.request();
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
        result.navigations.push({ method: request.method(), url: response.url(), status: response.status() });
      }
    });
    page.on('requestfailed', (request) => {
      // Navigations replaced by another (a redirect the page starts) are aborted, not failed.
      const failure = request.failure()?.errorText ?? 'failed';
      if (failure !== 'net::ERR_ABORTED') result.failedRequests.push({ url: request.url(), failure });
    });
    page.on('pageerror', (error) => result.pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') log(`console error: ${message.text()}`);
    });

    const flowStarted = Date.now();
    await flow();
    result.flowMillis = Date.now() - flowStarted;
  } catch (error) {
    await fail(error);
  }
  clearTimeout(deadline);
  await finish(0);
}
