// End-to-end flows of the framework examples (examples/*: Leptos, Dioxus, actix-web) in a real headless
// Chromium, driven by playwright-core. Every example serves the same pages with the same element ids
// (examples/README.md), so these flows check all of them: managed login through the app's /api/auth/*
// routes, a protected page, sign-out, todos as two users, and a file upload with its presigned link.
//
// Run by the tests crate (tests/src/example_flows.rs), one flow per process:
//
//   FLOW=<name> APP_URL=http://127.0.0.1:PORT USER_A=... USER_B=... PASSWORD=... \
//   SCREENSHOT_DIR=target/e2e-screenshots JAVASCRIPT=off node interop/browser/examples.mjs
//
// Prints ONE JSON object on stdout (see harness.mjs, which runs the browser and the report).

import { cookieSummary, cookies, env, page, result, runFlow, step, stepTimeout, text, waitFor } from './harness.mjs';

const FLOWS = {
  'protected-page': protectedPage,
  'sign-out': signOut,
  'todos': todos,
  'files': files,
};

const SESSION_COOKIE_PREFIX = 'CognitoIdentityServiceProvider.';

const appUrl = env('APP_URL').replace(/\/+$/, '');
const userA = env('USER_A');
const userB = env('USER_B');
const password = env('PASSWORD');
// Makes the items one run creates unique, so a test can tell them from anything else on the page.
const runId = Math.random().toString(36).slice(2, 8);

const onApp = (path) => (url) => {
  const u = new URL(url);
  return u.origin === new URL(appUrl).origin && (path === undefined || u.pathname === path);
};

/** amplify-local's login form is showing: fills it in as `user`, and waits until the browser is back on the
 * app at `path`. */
async function submitLogin(user, path) {
  await waitFor('#login-form');
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(password);
  await step(`login-${user.split('@')[0]}`);
  await page.locator('#sign-in').click();
  await page.waitForURL(onApp(path), { timeout: stepTimeout, waitUntil: 'load' });
}

/** Visits the protected `path` signed out, signs in as `user` on the login page it leads to, and comes back. */
async function signInAt(path, user) {
  await page.goto(`${appUrl}${path}`);
  await submitLogin(user, path);
}

/** Signs out with the home page's link (a navigation the user makes, as the sign-out route wants). */
async function signOutFromHome() {
  await page.goto(`${appUrl}/`);
  await waitFor('a#sign-out');
  await page.locator('a#sign-out').click();
  await page.waitForURL(onApp('/'), { timeout: stepTimeout, waitUntil: 'load' });
  await waitFor('#whoami');
}

/** The todos on the page: [{ content, done }]. */
async function todoList() {
  return page.locator('ul#todos li.todo').evaluateAll((items) =>
    items.map((li) => ({
      content: li.querySelector('.content')?.textContent.trim() ?? null,
      done: li.getAttribute('data-done'),
    })),
  );
}

/** The `li.todo` whose text is `content`. */
const todoItem = (content) => page.locator('ul#todos li.todo').filter({ has: page.locator('.content', { hasText: content }) });

async function createTodo(content) {
  await page.locator('form#create-todo input[name=content]').fill(content);
  await page.locator('form#create-todo [type=submit]').click();
  await page.waitForURL(onApp('/todos'), { timeout: stepTimeout, waitUntil: 'load' });
  await todoItem(content).first().waitFor({ state: 'visible', timeout: stepTimeout });
}

/** The files on the page: [{ name, href }]. */
async function fileList() {
  return page.locator('ul#files li.file a.file-link').evaluateAll((links) =>
    links.map((a) => ({ name: a.textContent.trim(), href: a.href })),
  );
}

// --- the flows -----------------------------------------------------------------------------

async function protectedPage() {
  await page.goto(`${appUrl}/protected`);
  await waitFor('#login-form');
  await step('login-page');
  result.loginPageUrl = page.url();
  result.loginPageOnApp = onApp()(page.url());
  await submitLogin(userA, '/protected');
  await waitFor('#protected-user');
  await step('protected');
  result.protectedUrl = page.url();
  result.protectedUser = await text('#protected-user');
  result.sessionCookies = cookieSummary(await cookies(SESSION_COOKIE_PREFIX));
  await page.goto(`${appUrl}/`);
  await waitFor('#whoami');
  result.whoami = await text('#whoami');
  await step('home');
}

async function signOut() {
  await page.goto(`${appUrl}/`);
  await waitFor('a#sign-in');
  result.whoamiBefore = await text('#whoami');
  await page.locator('a#sign-in').click();
  await submitLogin(userA, '/');
  await waitFor('#whoami');
  result.whoamiSignedIn = await text('#whoami');
  await step('home-signed-in');
  await signOutFromHome();
  result.whoamiAfter = await text('#whoami');
  result.sessionCookiesAfter = cookieSummary(await cookies(SESSION_COOKIE_PREFIX));
  await step('home-signed-out');
  // Signed out for real: the protected page asks to sign in again.
  await page.goto(`${appUrl}/protected`);
  const loginForm = page.locator('#login-form');
  await loginForm.waitFor({ state: 'visible', timeout: stepTimeout }).catch(() => {});
  result.protectedAfterSignOutShowsLogin = await loginForm.isVisible();
  await step('protected-after-sign-out');
}

async function todos() {
  const kept = `A keeps ${runId}`;
  const deleted = `A deletes ${runId}`;
  const ofB = `B writes ${runId}`;
  result.contents = { kept, deleted, ofB };

  await signInAt('/todos', userA);
  await waitFor('form#create-todo');
  await createTodo(kept);
  await createTodo(deleted);
  await step('a-created');
  await todoItem(kept).locator('form.toggle-todo [type=submit]').click();
  await page.waitForURL(onApp('/todos'), { timeout: stepTimeout, waitUntil: 'load' });
  await page.locator('ul#todos li.todo[data-done="true"]').filter({ hasText: kept }).waitFor({ timeout: stepTimeout });
  await todoItem(deleted).locator('form.delete-todo [type=submit]').click();
  await page.waitForURL(onApp('/todos'), { timeout: stepTimeout, waitUntil: 'load' });
  await todoItem(deleted).waitFor({ state: 'detached', timeout: stepTimeout });
  await step('a-toggled-and-deleted');
  result.todosOfA = await todoList();
  await signOutFromHome();

  await signInAt('/todos', userB);
  await waitFor('form#create-todo');
  result.todosOfBBefore = await todoList();
  await createTodo(ofB);
  await step('b-created');
  result.todosOfB = await todoList();
  await signOutFromHome();

  await signInAt('/todos', userA);
  await waitFor('form#create-todo');
  result.todosOfAAgain = await todoList();
  await step('a-again');
}

async function files() {
  const name = `notes-${runId}.txt`;
  const content = `uploaded by A in run ${runId}\n`;
  result.fileName = name;

  await signInAt('/files', userA);
  await waitFor('form#upload');
  await page.locator('form#upload input[type=file]').setInputFiles({
    name,
    mimeType: 'text/plain',
    buffer: Buffer.from(content),
  });
  await step('a-file-chosen');
  await page.locator('form#upload [type=submit]').click();
  await page.waitForURL(onApp('/files'), { timeout: stepTimeout, waitUntil: 'load' });
  await page.locator('ul#files a.file-link', { hasText: name }).first().waitFor({ timeout: stepTimeout });
  await step('a-uploaded');
  result.filesOfA = await fileList();
  const link = result.filesOfA.find((f) => f.name === name);
  // The presigned link, fetched outside the browser: it carries its own authorization.
  const response = await fetch(link.href, { signal: AbortSignal.timeout(stepTimeout) });
  result.download = { status: response.status, body: await response.text() };
  result.downloadMatches = result.download.body === content;
  await signOutFromHome();

  await signInAt('/files', userB);
  await waitFor('form#upload');
  result.filesOfB = await fileList();
  await step('b-files');
}

await runFlow(FLOWS, { appUrl });
