// The demo's pages as a product (issue 15), in a real headless Chromium driven by playwright-core: layout at
// two widths, accessibility (axe-core), keyboard-only use, and the error pages.
//
// Run by tests/tests/demo_pages.rs, one flow per process:
//
//   FLOW=<name> DEMO_URL=http://127.0.0.1:PORT USERNAME=... PASSWORD=... \
//   SCREENSHOT_DIR=target/e2e-screenshots node interop/browser/pages.mjs
//
// Flows:
//   page-tour      every page (PAGES: comma-separated paths; default all of the demo's), at each of WIDTHS
//                  (default "1280x800,390x844"), signed in first when SIGNED_IN=yes: per page and width the
//                  status, a horizontal-scroll and overflow measurement, axe-core's violations and a screenshot.
//   keyboard-walk  with page.keyboard only: sign in on /sign-in, add a todo, mark it done, sign out; every
//                  focus stop is recorded (is the focus visible?), and so is the first Tab on each page (the
//                  skip link).
//   error-pages    signed in: a 404, a whitespace-only todo (the form back with an error), and /admin (403).
//   js-upload      signed in, with scripts: an image uploaded to the public area through the presigned PUT, then
//                  shown by /gallery; every Content-Security-Policy violation on the way is recorded.
//   no-js-upload   run with JAVASCRIPT=off: signed in, /files says uploading needs JavaScript, and submitting the
//                  upload form does not navigate to a URL carrying the file name.
//
// The flows record what they see and only throw when they cannot go on; the Rust tests make the assertions.
// Prints ONE JSON object on stdout (see harness.mjs).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { env, log, page, result, runFlow, step, stepTimeout, waitFor } from './harness.mjs';

const FLOWS = {
  'page-tour': pageTour,
  'keyboard-walk': keyboardWalk,
  'error-pages': errorPages,
  'no-js-upload': noJsUpload,
  'js-upload': jsUpload,
};

const demoUrl = env('DEMO_URL').replace(/\/+$/, '');
const username = env('USERNAME', 'demo@example.com');
const password = env('PASSWORD', 'Demo-passw0rd!');

/** The demo's pages; the signed-in-only ones send a signed-out visitor to the sign-in page instead. */
const ALL_PAGES = [
  '/',
  '/dashboard',
  '/todos',
  '/files',
  '/gallery',
  '/announcements',
  '/admin',
  '/sign-in',
  '/auth-error?error=access_denied',
  '/no-such-page',
];

/** How many Tab presses a walk may take to reach one control before it gives up. */
const MAX_TABS = 40;

const onDemo = (path) => (url) => {
  const u = new URL(url);
  return u.origin === new URL(demoUrl).origin && (path === undefined || u.pathname === path);
};

/** `1280x800,390x844` → [{ width: 1280, height: 800 }, ...]. */
function parseWidths(spec) {
  return spec.split(',').map((item) => {
    const match = /^\s*(\d+)x(\d+)\s*$/.exec(item);
    if (!match) throw new Error(`WIDTHS: "${item}" is not WIDTHxHEIGHT`);
    return { width: Number(match[1]), height: Number(match[2]) };
  });
}

/** A short name for a path, for screenshot files: `/auth-error?error=x` → `auth-error`. */
const pageName = (path) => path.split('?')[0].replace(/^\/+/, '').replaceAll('/', '-') || 'home';

/** Resolves after the next two frames: styles and layout are up to date after a resize. */
async function settled() {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** Signs in with the demo's password form (/sign-in), by filling it in. */
async function signInWithForm() {
  await page.goto(`${demoUrl}/sign-in`);
  await waitFor('#username');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await Promise.all([
    page.waitForURL(onDemo('/dashboard'), { timeout: stepTimeout, waitUntil: 'load' }),
    page.locator('#password').press('Enter'),
  ]);
  result.signedIn = true;
}

// --- measurements (run in the page) ---------------------------------------------------------------

/**
 * The page's horizontal scroll, and the elements overflowing: sticking out of the viewport (left or right;
 * outermost only), or whose content is wider than their box while their overflow is visible (innermost only: an
 * overflowing child makes its ancestors overflow too). Elements hidden, clipped by a scrolling or clipping ancestor, or moved off
 * screen to the left or top (the usual way to hide a skip link) are left out.
 */
function measureLayout() {
  const doc = document.documentElement;
  const viewport = doc.clientWidth;
  const selectorOf = (el) => {
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && node !== doc; node = node.parentElement) {
      let part = node.localName;
      if (node.id) {
        parts.unshift(`${part}#${CSS.escape(node.id)}`);
        break;
      }
      const classes = [...node.classList].slice(0, 2).map((c) => `.${CSS.escape(c)}`).join('');
      part += classes;
      const parent = node.parentElement;
      if (parent) {
        const same = [...parent.children].filter((c) => c.localName === node.localName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(node) + 1})`;
      }
      parts.unshift(part);
    }
    return parts.join(' > ');
  };
  const clipped = (el) => {
    for (let node = el.parentElement; node && node !== document.body && node !== doc; node = node.parentElement) {
      if (getComputedStyle(node).overflowX !== 'visible') return true;
    }
    return false;
  };
  const outside = [];
  const overflowing = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (['script', 'style', 'template', 'noscript', 'head', 'meta', 'link'].includes(el.localName)) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || style.visibility === 'collapse') continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 && box.height <= 1) continue; // visually hidden (1px, clipped)
    if (box.right <= 0 || box.bottom <= 0) continue; // moved off screen to hide it; causes no scroll
    if (clipped(el)) continue;
    const rounded = (n) => Math.round(n * 10) / 10;
    if (box.right > viewport + 1 || box.left < -1) {
      outside.push({
        el,
        selector: selectorOf(el),
        left: rounded(box.left),
        right: rounded(box.right),
        width: rounded(box.width),
        viewport,
      });
    }
    const formControl = ['input', 'select', 'textarea', 'button', 'img', 'svg', 'video', 'iframe', 'canvas'];
    if (
      style.display !== 'inline' &&
      style.overflowX === 'visible' &&
      !formControl.includes(el.localName) &&
      el.clientWidth > 0 &&
      el.scrollWidth > el.clientWidth + 1
    ) {
      overflowing.push({ el, selector: selectorOf(el), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth });
    }
  }
  const innermost = overflowing
    .filter((o) => !overflowing.some((other) => other !== o && o.el.contains(other.el)))
    .map(({ selector, scrollWidth, clientWidth }) => ({ selector, scrollWidth, clientWidth }));
  // Outermost only: the children of an element sticking out usually stick out with it.
  const outermost = outside
    .filter((o) => !outside.some((other) => other !== o && other.el.contains(o.el)))
    .map(({ el, ...rest }) => rest);
  const limit = 20;
  return {
    viewport,
    innerWidth: window.innerWidth,
    scrollWidth: doc.scrollWidth,
    clientWidth: doc.clientWidth,
    horizontalScroll: doc.scrollWidth > doc.clientWidth,
    outsideViewport: outermost.slice(0, limit),
    outsideViewportCount: outermost.length,
    textOverflow: innermost.slice(0, limit),
    textOverflowCount: innermost.length,
  };
}

/** The page's structure the layout contract names: main, header, nav, footer, skip link, a link home. */
function measureStructure() {
  const main = document.querySelector('main');
  const skip = document.querySelector('a.skip-link');
  return {
    hasMain: main !== null,
    mainId: main?.id ?? null,
    hasHeader: document.querySelector('header') !== null,
    hasNav: document.querySelector('nav') !== null,
    hasFooter: document.querySelector('footer') !== null,
    linkHome: [...document.querySelectorAll('a[href]')].some((a) => new URL(a.href).pathname === '/' && a.origin === location.origin),
    skipLinkHref: skip?.getAttribute('href') ?? null,
    h1: document.querySelector('h1')?.innerText.trim() ?? null,
    title: document.title,
    lang: document.documentElement.lang || null,
  };
}

// --- axe-core ---------------------------------------------------------------------------------------

let axeSource;

/** axe-core's violations on the current page (injected once per document), compacted for the report. */
async function axeViolations() {
  if (axeSource === undefined) {
    const require = createRequire(import.meta.url);
    axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  }
  const present = await page.evaluate(() => typeof window.axe !== 'undefined');
  // Evaluated rather than added as a <script>: amplify-local's pages forbid inline scripts (CSP), which binds
  // the page's scripts but not the DevTools protocol's.
  if (!present) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.length,
      targets: v.nodes.slice(0, 10).map((n) => n.target.join(' ')),
    }));
  });
}

// --- keyboard ---------------------------------------------------------------------------------------

/** What has the focus now, and whether the focus is visible (a non-none outline or a box-shadow). */
function focusedElement() {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
  const mainEl = document.querySelector('main');
  return {
    tag: el.localName,
    id: el.id || null,
    name: el.getAttribute('name'),
    type: el.getAttribute('type'),
    classes: el.className && typeof el.className === 'string' ? el.className : null,
    href: el.getAttribute('href'),
    text: (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().slice(0, 60),
    focusVisible: outline || shadow,
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    boxShadow: style.boxShadow,
    inMain: mainEl !== null && mainEl.contains(el),
    // The list item (a todo) the element belongs to, to tell one todo's buttons from another's.
    item: el.closest('li')?.innerText.trim().slice(0, 120) ?? null,
    skipLink: el.matches('a.skip-link'),
    targetIsMain:
      el.localName === 'a' &&
      (el.getAttribute('href') ?? '').startsWith('#') &&
      document.getElementById(el.getAttribute('href').slice(1))?.localName === 'main',
  };
}

/** The focus stops of the walk, in order. */
const stops = [];

async function press(key, label) {
  await page.keyboard.press(key);
  const focused = await page.evaluate(focusedElement);
  stops.push({ key, label, url: page.url(), focused });
  return focused;
}

/** Presses Tab (or Shift+Tab) until `matches(focused)` holds; throws after MAX_TABS presses. */
async function tabTo(label, matches, key = 'Tab') {
  for (let i = 0; i < MAX_TABS; i += 1) {
    const focused = await press(key, label);
    if (focused && matches(focused)) return focused;
  }
  throw new Error(`${label}: not reached with ${MAX_TABS} presses of ${key}`);
}

/** The first Tab on a freshly loaded page: where it lands (the contract: the skip link to <main>). */
async function firstTab(label) {
  const focused = await press('Tab', `${label}: first Tab`);
  result.firstTabs.push({ page: label, url: page.url(), focused });
  return focused;
}

/**
 * Loads `path` and reports the answer: status, content type, where it ended up (after redirects), and the page's
 * structure. A page Chromium would not show (an error status with an empty body: Chromium shows its own error
 * page and goto fails) is reported with `gotoError` and the status of the last navigation.
 */
async function visit(path) {
  const before = result.navigations.length;
  let response = null;
  let gotoError = null;
  try {
    response = await page.goto(`${demoUrl}${path}`, { waitUntil: 'load' });
  } catch (error) {
    gotoError = String(error?.message ?? error).split('\n')[0];
  }
  const last = result.navigations.slice(before).at(-1) ?? null;
  const entry = {
    path,
    url: response?.url() ?? last?.url ?? page.url(),
    status: response?.status() ?? last?.status ?? null,
    contentType: response ? ((await response.allHeaders())['content-type'] ?? null) : null,
    gotoError,
    widths: [],
  };
  entry.onDemo = onDemo()(entry.url);
  entry.structure = gotoError ? null : await page.evaluate(measureStructure).catch(() => null);
  return entry;
}

// --- the flows --------------------------------------------------------------------------------------

async function pageTour() {
  const widths = parseWidths(env('WIDTHS', '1280x800,390x844'));
  const paths = env('PAGES', ALL_PAGES.join(',')).split(',').filter((p) => p !== '');
  const signedIn = env('SIGNED_IN', 'no') === 'yes';
  result.signedIn = false;
  result.widths = widths;
  result.pages = [];
  if (signedIn) await signInWithForm();
  for (const path of paths) {
    const entry = await visit(path);
    result.pages.push(entry);
    if (entry.gotoError) {
      await step(`${pageName(path)}-not-shown`);
      continue;
    }
    for (const size of widths) {
      await page.setViewportSize(size);
      await settled();
      const at = { width: size.width, height: size.height };
      at.layout = await page.evaluate(measureLayout);
      const started = Date.now();
      try {
        at.axe = await axeViolations();
      } catch (error) {
        at.axeError = String(error?.message ?? error);
      }
      at.axeMillis = Date.now() - started;
      at.screenshot = (await step(`w${size.width}-${pageName(path)}`)).screenshot;
      entry.widths.push(at);
    }
  }
}

async function keyboardWalk() {
  result.firstTabs = [];
  result.stops = stops;
  await page.setViewportSize({ width: 1280, height: 800 });

  // Sign in with the password form.
  await page.goto(`${demoUrl}/sign-in`);
  await waitFor('#username');
  await firstTab('/sign-in');
  await tabTo('to the username field', (f) => f.id === 'username' || f.name === 'username');
  await page.keyboard.type(username);
  await tabTo('to the password field', (f) => f.id === 'password' || f.name === 'password');
  await page.keyboard.type(password);
  await step('sign-in-typed');
  await Promise.all([page.waitForURL(onDemo('/dashboard'), { waitUntil: 'load' }), page.keyboard.press('Enter')]);
  result.signedInUrl = page.url();
  await step('dashboard');

  // To the todos through the navigation.
  await firstTab('/dashboard');
  await tabTo('to the Todos link', (f) => f.tag === 'a' && f.href === '/todos');
  await Promise.all([page.waitForURL(onDemo('/todos'), { waitUntil: 'load' }), page.keyboard.press('Enter')]);
  await firstTab('/todos');

  // Add a todo.
  const content = `Walked by keyboard ${Date.now().toString(36)}`;
  result.todo = content;
  await tabTo('to the new-todo field', (f) => f.id === 'content' || f.name === 'content');
  await page.keyboard.type(content);
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && onDemo('/todos')(r.url())),
    page.keyboard.press('Enter'),
  ]);
  await page.waitForLoadState('load');
  await waitFor(`li.todo:has-text("${content}")`);
  await step('todo-added');
  result.todoAdded = true;

  // Mark it done: Tab to its checkbox (or a toggle button), Space.
  await tabTo(
    'to the todo\'s toggle',
    (f) =>
      ((f.tag === 'input' && f.type === 'checkbox') ||
        ((f.tag === 'button' || f.tag === 'input') && /done|complete|toggle|finish/i.test(f.text))) &&
      (f.item ?? '').includes(content),
  );
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && onDemo('/todos/toggle')(r.url())),
    page.keyboard.press('Space'),
  ]);
  await page.waitForLoadState('load');
  await waitFor(`li.todo:has-text("${content}")`);
  result.todoDone = await page
    .locator(`li.todo:has-text("${content}")`)
    .first()
    .evaluate(
      (li) =>
        li.classList.contains('done') ||
        li.dataset.done === 'true' ||
        li.querySelector('[aria-pressed=true], input[type=checkbox]:checked') !== null ||
        /not done|undo|reopen/i.test(li.innerText),
    );
  await step('todo-toggled');

  // Sign out: backwards from the end of the reloaded page to the navigation's sign-out control.
  await tabTo('back to sign out', (f) => f.id === 'nav-sign-out' || /^sign out$/i.test(f.text), 'Shift+Tab');
  await Promise.all([page.waitForURL(onDemo('/'), { waitUntil: 'load' }), page.keyboard.press('Enter')]);
  await waitFor('#nav-sign-in, #nav-password-sign-in');
  result.signedOut = true;
  await step('signed-out');
  await firstTab('/');
  result.focusNotVisible = stops.filter((s) => s.focused && !s.focused.focusVisible);
  result.focusLost = stops.filter((s) => s.focused === null).map((s) => s.label);
}

/** A page's layout check for the error pages: the status, content type and structure. */
async function errorPage(response) {
  return {
    url: page.url(),
    status: response?.status() ?? null,
    contentType: response ? ((await response.allHeaders())['content-type'] ?? null) : null,
    structure: await page.evaluate(measureStructure).catch(() => null),
  };
}

async function errorPages() {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInWithForm();

  result.notFound = await visit('/no-such-page');
  await step('not-found');

  result.forbidden = await visit('/admin');
  await step('forbidden');

  // A todo of spaces only: the browser's `required` lets it through, the server refuses it.
  await page.goto(`${demoUrl}/todos`);
  await waitFor('#content');
  await page.locator('#content').fill('   ');
  // The server's answer is what is checked: a browser-side rule (a pattern) that stops the submit is recorded,
  // then bypassed.
  result.blankTodoClientValidation = await page.locator('#content').evaluate((field) => {
    const valid = field.checkValidity();
    const message = field.validationMessage;
    if (field.form) field.form.noValidate = true;
    return { valid, message };
  });
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && onDemo('/todos')(r.url())),
    page.locator('#content').press('Enter'),
  ]);
  await page.waitForLoadState('load');
  result.blankTodo = await errorPage(response);
  result.blankTodo.field = await page.evaluate(() => {
    const field = document.getElementById('content');
    if (!field) return null;
    const visible = (el) => {
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      return style.display !== 'none' && style.visibility !== 'hidden' && box.width > 0 && box.height > 0;
    };
    const described = (field.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter((id) => id !== '')
      .map((id) => document.getElementById(id))
      .filter((el) => el !== null && visible(el))
      .map((el) => el.innerText.trim())
      .filter((t) => t !== '');
    const form = field.form;
    const inForm = form
      ? [...form.querySelectorAll('.error, [role=alert]')].filter(visible).map((el) => el.innerText.trim())
      : [];
    return {
      inForm: form !== null,
      formAction: form?.getAttribute('action') ?? null,
      ariaInvalid: field.getAttribute('aria-invalid'),
      describedByErrors: described,
      errorsInForm: inForm.filter((t) => t !== ''),
    };
  });
  result.blankTodo.bodyText = (await page.locator('body').innerText().catch(() => '')).slice(0, 300);
  await step('blank-todo');
}

async function noJsUpload() {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInWithForm();
  const response = await page.goto(`${demoUrl}/files`);
  result.filesStatus = response?.status() ?? null;
  await page.locator('h1').first().waitFor({ state: 'visible' });
  const notice = page.locator('#upload-needs-js');
  result.needsJsNotice = (await notice.count()) > 0 && (await notice.first().isVisible());
  result.needsJsText = result.needsJsNotice ? (await notice.first().innerText()).trim() : null;
  await step('files-no-js');

  const fileName = `nojs-${Date.now().toString(36)}.txt`;
  result.fileName = fileName;
  const submit = page.locator('#upload-form [type=submit], #upload-form button:not([type])').first();
  const formLocator = page.locator('#upload-form');
  result.uploadForm =
    (await formLocator.count()) === 0
      ? null
      : await formLocator.first().evaluate((f) => ({
          method: f.getAttribute('method'),
          action: f.getAttribute('action'),
          enctype: f.getAttribute('enctype'),
        }));
  result.submitUsable =
    (await page.locator('#file').count()) > 0 &&
    (await submit.count()) > 0 &&
    (await submit.isVisible()) &&
    (await submit.isEnabled());
  if (!result.submitUsable) {
    // Nothing to submit without scripts: nothing can reload with the file name.
    result.submitted = false;
    return;
  }
  await page.locator('#file').setInputFiles({ name: fileName, mimeType: 'text/plain', buffer: Buffer.from('no js\n') });
  const before = result.navigations.length;
  // Without scripts a submit always navigates (or the browser's validation stops it, which the flow reports as
  // no navigation within the bound).
  const loaded = page.waitForEvent('load', { timeout: stepTimeout }).then(() => true, () => false);
  await submit.focus();
  await page.keyboard.press('Enter');
  result.submitted = true;
  result.navigatedAfterSubmit = await loaded;
  result.afterSubmitNavigations = result.navigations.slice(before);
  result.afterSubmitUrl = page.url();
  result.fileNameInUrl = result.afterSubmitNavigations.some((n) => n.url.includes(fileName)) || page.url().includes(fileName);
  result.afterSubmitH1 = (await step('after-submit')).h1;
}

/** A 1×1 PNG. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** The policy violations the current page reported (recorded from the first script on every page). */
async function violations() {
  return page.evaluate(() => window.__cspViolations ?? []).catch(() => ['(could not read the page)']);
}

async function jsUpload() {
  result.cspViolations = [];
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInWithForm();
  await page.goto(`${demoUrl}/files`);
  await waitFor('#upload-form');
  const fileName = `pixel-${Date.now().toString(36)}.png`;
  result.fileName = fileName;
  await page.locator('#file').setInputFiles({ name: fileName, mimeType: 'image/png', buffer: PIXEL });
  await page.locator('#area').selectOption('public');
  // The script uploads, then reloads the page: wait for the reload that lists the file.
  await Promise.all([page.waitForEvent('load', { timeout: stepTimeout }), page.locator('#upload').click()]);
  result.cspViolations.push(...(await violations()));
  result.listed = (await page.locator('#public-files', { hasText: fileName }).count()) > 0;
  result.uploadStatus = await page.locator('#upload-status').innerText().catch(() => null);
  await step('uploaded');
  await page.goto(`${demoUrl}/gallery`);
  const image = page.locator(`#gallery img[alt="${fileName}"]`);
  await image.waitFor({ state: 'attached', timeout: stepTimeout });
  await page.waitForFunction(
    (name) => {
      const img = document.querySelector(`#gallery img[alt="${name}"]`);
      return img !== null && img.complete;
    },
    fileName,
    { timeout: stepTimeout },
  );
  result.galleryImageWidth = await image.evaluate((img) => img.naturalWidth);
  result.cspViolations.push(...(await violations()));
  await step('gallery');
}

runFlow(FLOWS).catch((error) => {
  log(`pages.mjs: ${error?.stack ?? error}`);
  process.exit(1);
});
