// End-to-end flows of the demo app (apps/amplify-demo) in a real headless Chromium, driven by
// playwright-core: managed login (amplify-local's login, sign-up, confirm and consent pages)
// through the library's /api/auth/* routes, the way a user clicks through them.
//
// Run by tests/tests/browser_flows.rs, one flow per process:
//
//   FLOW=<name> DEMO_URL=http://127.0.0.1:PORT BACKEND_URL=http://127.0.0.1:PORT \
//   SCREENSHOT_DIR=target/e2e-screenshots node interop/browser/flows.mjs
//
// Optional: CHROMIUM (default /usr/bin/chromium), USERNAME / PASSWORD (the account the
// sign-in flows use), CLIENT_ID (the app client; sign-out flow), NEW_EMAIL / NEW_PASSWORD (sign-up; NEW_USERNAME too
// when the page asks for a username), GOOGLE_EMAIL /
// GOOGLE_NAME (federated consent), STEP_TIMEOUT_MS (each wait; default 20000),
// FLOW_TIMEOUT_MS (the whole flow; default 90000). forgot-password: NEW_PASSWORD. admin-created-user:
// TEMPORARY_PASSWORD, NEW_PASSWORD, NEW_EMAIL. totp-sign-in (amplify-local's pages alone, no demo:
// DEMO_URL may be the backend's URL): AUTHORIZE_URL, CALLBACK_URL, TOTP_SECRET.
//
// Prints ONE JSON object on stdout (see harness.mjs, which runs the browser and the report).

import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';

import {
  READ_TIMEOUT,
  context,
  cookieSummary,
  cookies,
  env,
  page,
  result,
  runFlow,
  step,
  stepTimeout,
  text,
  waitFor,
  withTimeout,
} from './harness.mjs';

const FLOWS = {
  'protected-page': protectedPage,
  'sign-out': signOut,
  'sign-up': signUp,
  'google': google,
  'lang-fr': langFr,
  'tampered-state': tamperedState,
  'expired-flow': expiredFlow,
  'back-after-sign-out': backAfterSignOut,
  'back-after-sign-in': backAfterSignIn,
  'confirm-sign-out': confirmSignOut,
  'admin-page': adminPage,
  'forgot-password': forgotPassword,
  'admin-created-user': adminCreatedUser,
  'totp-sign-in': totpSignIn,
};

const SESSION_COOKIE_PREFIX = 'CognitoIdentityServiceProvider.';
const FLOW_COOKIE_PREFIX = 'com.amplify.server_auth.';

const demoUrl = env('DEMO_URL').replace(/\/+$/, '');
const backendUrl = env('BACKEND_URL').replace(/\/+$/, '');
const username = env('USERNAME', 'demo@example.com');
const password = env('PASSWORD', 'Demo-passw0rd!');

const onDemo = (path) => (url) => {
  const u = new URL(url);
  return u.origin === new URL(demoUrl).origin && (path === undefined || u.pathname === path);
};
const onBackend = (url) => new URL(url).origin === new URL(backendUrl).origin;

/** Fills and submits amplify-local's login form, then waits until the browser is back on the demo at `path`. */
async function submitLogin(path, user = username, pass = password) {
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(pass);
  await step('login-filled');
  await page.locator('#sign-in').click();
  await page.waitForURL(onDemo(path), { timeout: stepTimeout, waitUntil: 'load' });
}

/** Signs in from the home page's nav link and records the user the dashboard shows. */
async function signInFromHome() {
  await page.goto(`${demoUrl}/`);
  await waitFor('#nav-sign-in');
  await page.locator('#nav-sign-in').click();
  await waitFor('#login-form');
  await submitLogin('/dashboard');
  result.signedInUser = await signedInUser();
  await step('dashboard');
}

/** The username of who the header says is signed in (the header shows their name; the username is in
 * `data-username`). */
async function signedInUser() {
  await waitFor('#signed-in-user');
  return usernameInHeader();
}

/** The header's username, or null when nobody is signed in. */
async function usernameInHeader() {
  const badge = page.locator('#signed-in-user');
  if ((await badge.count()) === 0) return null;
  return badge.first().getAttribute('data-username');
}

/** POSTs a refresh-token grant to amplify-local's token endpoint (from Node, not the page). */
async function refreshAtTokenEndpoint(refreshToken) {
  const response = await fetch(`${backendUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: env('CLIENT_ID'), refresh_token: refreshToken }),
    signal: AbortSignal.timeout(stepTimeout),
  });
  const body = await response.json().catch(() => ({}));
  return {
    status: response.status,
    error: body.error ?? null,
    accessToken: typeof body.access_token === 'string' && body.access_token !== '',
    rotated: typeof body.refresh_token === 'string' && body.refresh_token !== refreshToken,
  };
}

// --- the flows -----------------------------------------------------------------------------

async function protectedPage() {
  await page.goto(`${demoUrl}/dashboard?tab=keys`);
  await waitFor('#login-form');
  await step('login-page');
  result.loginPageUrl = page.url();
  result.loginPageOnBackend = onBackend(page.url());
  await submitLogin('/dashboard');
  result.signedInUser = await signedInUser();
  await step('dashboard');
  result.sessionCookies = cookieSummary(await cookies(SESSION_COOKIE_PREFIX));
  result.flowCookiesLeft = (await cookies(FLOW_COOKIE_PREFIX)).map((c) => c.name);
}

/** A signed-out visit to the group-guarded /admin page: the login page, then back on /admin, which shows the
 * page to a member of the group and 403 to anyone else (the status is in the report's navigations). */
async function adminPage() {
  await page.goto(`${demoUrl}/admin`);
  await waitFor('#login-form');
  await step('login-page');
  result.loginPageUrl = page.url();
  result.loginPageOnBackend = onBackend(page.url());
  await submitLogin('/admin');
  await step('admin');
  result.adminH1 = await withTimeout(text('h1'), READ_TIMEOUT, null);
  result.adminText = await withTimeout(page.locator('body').innerText(), READ_TIMEOUT, null);
  // The refusal's own text, folded under "Technical detail" on the site's error page.
  result.adminDetail = await withTimeout(page.locator('#problem-detail').textContent(), READ_TIMEOUT, null);
}

async function signOut() {
  await page.goto(`${demoUrl}/`);
  await waitFor('#nav-sign-in');
  await step('home-signed-out');
  await page.locator('#nav-sign-in').click();
  await waitFor('#login-form');
  await step('login-page');
  await submitLogin('/dashboard');
  result.signedInUser = await signedInUser();
  await step('dashboard');
  const session = await cookies(SESSION_COOKIE_PREFIX);
  result.sessionCookiesBefore = cookieSummary(session);
  const refresh = session.find((c) => c.name.endsWith('.refreshToken'));
  result.refreshTokenCookie = refresh?.name ?? null;
  result.refreshToken = refresh?.value ?? null;
  // Control for the check the Rust test makes after signing out: while signed in, the token
  // endpoint accepts this refresh token (and, without rotation, keeps it valid).
  if (result.refreshToken) result.refreshBeforeSignOut = await refreshAtTokenEndpoint(result.refreshToken);

  await page.locator('#nav-sign-out').click();
  await recordSignedOut();
}

/** After a sign-out was started: waits for the home page, and records what it shows, the session cookies
 * left, and whether the protected page asks to sign in again. */
async function recordSignedOut() {
  await page.waitForURL(onDemo('/'), { timeout: stepTimeout, waitUntil: 'load' });
  await waitFor('#nav-sign-in');
  await step('home-after-sign-out');
  result.signedOutUrl = page.url();
  result.signedInUserAfter = await usernameInHeader();
  result.sessionCookiesAfter = cookieSummary(await cookies(SESSION_COOKIE_PREFIX));

  // Signed out for real: the protected page asks to sign in again (no session, and no
  // managed-login session that would sign the browser straight back in).
  // (goto follows the server's redirects and resolves once the last page has loaded)
  await page.goto(`${demoUrl}/dashboard`);
  const loginForm = page.locator('#login-form');
  await loginForm.waitFor({ state: 'visible', timeout: stepTimeout }).catch(() => {});
  result.dashboardAfterSignOutUrl = page.url();
  result.dashboardAfterSignOutShowsLogin = await loginForm.isVisible();
  await step('dashboard-after-sign-out');
}

async function signUp() {
  const newEmail = env('NEW_EMAIL');
  const newPassword = env('NEW_PASSWORD');
  await page.goto(`${demoUrl}/`);
  await waitFor('#nav-sign-up');
  await step('home-signed-out');
  await page.locator('#nav-sign-up').click();
  await waitFor('#signup-form');
  await step('sign-up-page');
  result.signUpPageUrl = page.url();
  // Fill what the page asks for: a pool whose usernames are emails has no #username field.
  result.signUpFields = await page
    .locator('#signup-form input:not([type=hidden])')
    .evaluateAll((inputs) => inputs.map((input) => input.id));
  if (result.signUpFields.includes('username')) {
    await page.locator('#username').fill(env('NEW_USERNAME'));
  }
  await page.locator('#email').fill(newEmail);
  await page.locator('#password').fill(newPassword);
  await step('sign-up-filled');
  await page.locator('#sign-up').click();
  await waitFor('#confirm-form');
  await step('confirm-page');
  result.confirmPageUrl = page.url();
  result.displayedCode = await text('#confirmation-code');
  if (!result.displayedCode) throw new Error('the confirm page shows no #confirmation-code');
  await page.locator('#code').fill(result.displayedCode);
  await step('confirm-filled');
  await page.locator('#confirm').click();
  await page.waitForURL(onDemo('/dashboard'), { timeout: stepTimeout, waitUntil: 'load' });
  result.signedInUser = await signedInUser();
  await step('dashboard');
  result.sessionCookies = cookieSummary(await cookies(SESSION_COOKIE_PREFIX));
}

async function google() {
  const googleEmail = env('GOOGLE_EMAIL', 'jane.doe@gmail.example');
  const googleName = env('GOOGLE_NAME', 'Jane Doe');
  await page.goto(`${demoUrl}/`);
  await waitFor('#nav-sign-in-google');
  await step('home-signed-out');
  await page.locator('#nav-sign-in-google').click();
  await waitFor('#consent-form');
  await step('consent-page');
  result.consentPageUrl = page.url();
  result.provider = await text('#provider');
  await page.locator('#email').fill(googleEmail);
  await page.locator('#name').fill(googleName);
  await step('consent-filled');
  await page.locator('#continue').click();
  await page.waitForURL(onDemo('/dashboard'), { timeout: stepTimeout, waitUntil: 'load' });
  result.signedInUser = await signedInUser();
  result.signedInName = await text('#signed-in-user');
  result.dashboardText = await text('main');
  await step('dashboard');
  result.sessionCookies = cookieSummary(await cookies(SESSION_COOKIE_PREFIX));
}

async function langFr() {
  await page.goto(`${demoUrl}/api/auth/sign-in?lang=fr`);
  await waitFor('#login-form');
  const info = await step('login-page-fr');
  result.loginPageUrl = page.url();
  result.loginPageOnBackend = onBackend(page.url());
  result.lang = info.lang;
  result.h1 = info.h1;
  result.submitLabel = await text('#sign-in');
}

/** Starts sign-in from the demo's nav and stops on the login page. */
async function startSignIn() {
  await page.goto(`${demoUrl}/`);
  await waitFor('#nav-sign-in');
  await step('home-signed-out');
  await page.locator('#nav-sign-in').click();
  await waitFor('#login-form');
  await step('login-page');
  result.flowCookiesAtLogin = (await cookies(FLOW_COOKIE_PREFIX)).map((c) => c.name);
}

async function finishOnErrorPage() {
  await page.waitForURL(onDemo('/auth-error'), { timeout: stepTimeout, waitUntil: 'load' });
  await waitFor('#auth-error-code');
  await step('auth-error');
  result.errorCode = await text('#auth-error-code');
  result.sessionCookies = cookieSummary(await cookies(SESSION_COOKIE_PREFIX));
  result.signedInUser = await usernameInHeader();
}

async function tamperedState() {
  await startSignIn();
  const state = page.locator('#login-form input[name=state]');
  result.originalState = await state.inputValue();
  result.tamperedState = `${result.originalState}-tampered`;
  // A hidden input cannot be typed into; set it as a script in the page would.
  await state.evaluate((input, value) => {
    input.value = value;
  }, result.tamperedState);
  result.stateSubmitted = await state.inputValue();
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await step('login-filled-tampered');
  await page.locator('#sign-in').click();
  await finishOnErrorPage();
}

async function expiredFlow() {
  await startSignIn();
  // What the browser does when the 5-minute flow cookies expire: it drops them.
  const flowCookies = await cookies(FLOW_COOKIE_PREFIX);
  for (const cookie of flowCookies) {
    await context.clearCookies({ name: cookie.name, domain: cookie.domain, path: cookie.path });
  }
  result.removedFlowCookies = flowCookies.map((c) => c.name);
  result.flowCookiesLeft = (await cookies(FLOW_COOKIE_PREFIX)).map((c) => c.name);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await step('login-filled-expired');
  await page.locator('#sign-in').click();
  await finishOnErrorPage();
}

/** What a page reached with the Back button shows: whether it names the signed-in user anywhere. */
async function backStep(name) {
  const info = await step(name);
  // The page's text without the demo account's credentials, which signed-out pages show as a hint.
  const body = await withTimeout(
    page.evaluate(() => {
      const copy = document.body.cloneNode(true);
      for (const hint of copy.querySelectorAll('.demo-credentials')) hint.remove();
      return copy.textContent;
    }),
    READ_TIMEOUT,
    null,
  );
  return {
    url: page.url(),
    h1: info.h1,
    errors: info.errors,
    signedInUser: await usernameInHeader(),
    // The header shows the user's name and keeps the username in data-username; JSON shows the username.
    showsUsername: body === null ? null : body.includes(username) || (await usernameInHeader()) === username,
  };
}

async function backAfterSignOut() {
  await signInFromHome();
  // Every private page, as the signed-in user sees it (the JSON API names the user too).
  result.privatePages = [];
  for (const path of ['/todos', '/files', '/apis/get-current-user']) {
    const response = await page.goto(`${demoUrl}${path}`);
    const body = await page.locator('body').innerText();
    result.privatePages.push({
      path,
      status: response?.status() ?? null,
      cacheControl: response ? (await response.allHeaders())['cache-control'] ?? null : null,
      showsUsername: body.includes(username) || (await usernameInHeader()) === username,
    });
    await step(`private-${path.replaceAll('/', '-').slice(1)}`);
  }
  await page.goto(`${demoUrl}/`);
  await waitFor('#nav-sign-out');
  await step('home-signed-in');
  await page.locator('#nav-sign-out').click();
  await page.waitForURL(onDemo('/'), { timeout: stepTimeout, waitUntil: 'load' });
  await waitFor('#nav-sign-in');
  await step('home-after-sign-out');
  result.sessionCookiesAfter = cookieSummary(await cookies(SESSION_COOKIE_PREFIX));
  // Back through everything visited while signed in: home, the API, files, todos, the dashboard.
  result.backPages = [];
  for (let i = 1; i <= 5; i += 1) {
    await page.goBack({ waitUntil: 'load', timeout: stepTimeout });
    result.backPages.push(await backStep(`back-${i}`));
  }
}

async function backAfterSignIn() {
  await page.goto(`${demoUrl}/dashboard?tab=keys`);
  await waitFor('#login-form');
  await step('login-page');
  await submitLogin('/dashboard');
  result.signedInUser = await signedInUser();
  await step('dashboard');
  result.historyLength = await page.evaluate(() => history.length);
  await page.goBack({ waitUntil: 'load', timeout: stepTimeout });
  // Wherever Back leads, let its redirects (and the callback's own page) settle on the demo before reading it.
  await page.waitForURL(onDemo(), { timeout: stepTimeout, waitUntil: 'load' }).catch(() => {});
  await waitFor('main h1, #login-form').catch(() => {});
  result.afterBack = await backStep('after-back');
  // Still signed in: the protected page opens without asking to sign in.
  await page.goto(`${demoUrl}/dashboard`);
  result.signedInUserLater = await signedInUser();
  await step('dashboard-later');
}

/** Serves `html` as another site: `localhost` is a different site from the demo's `127.0.0.1`. */
async function otherSite(html) {
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return { url: `http://localhost:${server.address().port}/`, close: () => server.close() };
}

async function confirmSignOut() {
  await signInFromHome();
  result.sessionCookiesBefore = cookieSummary(await cookies(SESSION_COOKIE_PREFIX));

  // Another site links to the sign-out route; the user follows the link.
  const other = await otherSite(
    `<!DOCTYPE html><html lang="en"><head><title>Elsewhere</title></head><body><h1>Elsewhere</h1>` +
      `<a id="to-sign-out" href="${demoUrl}/api/auth/sign-out">a link</a></body></html>`,
  );
  try {
    await page.goto(other.url);
    await waitFor('#to-sign-out');
    await step('other-site');
    await page.locator('#to-sign-out').click();
    await waitFor('#confirm-sign-out');
  } finally {
    other.close();
  }
  const confirmation = await step('confirmation-page');
  result.confirmationUrl = page.url();
  result.confirmationH1 = confirmation.h1;
  result.sessionCookiesAtConfirmation = cookieSummary(await cookies(SESSION_COOKIE_PREFIX));

  // The user confirms: signed out, through managed login's /logout and back.
  await page.locator('#confirm-sign-out').click();
  await recordSignedOut();
}

await runFlow(FLOWS, { demoUrl, backendUrl });

/** Forgot your password? from the login page: code shown, new password, then sign-in with it. */
async function forgotPassword() {
  const newPassword = env('NEW_PASSWORD');
  await startSignIn();
  await page.locator('#forgot-link').click();
  await waitFor('#forgot-form');
  await step('forgot-page');
  result.forgotPageUrl = page.url();
  await page.locator('#username').fill(username);
  await page.locator('#send-code').click();
  await waitFor('#reset-form');
  await step('reset-page');
  result.displayedCode = await text('#reset-code');
  if (!result.displayedCode) throw new Error('the reset page shows no #reset-code');
  await page.locator('#code').fill(result.displayedCode);
  await page.locator('#new-password').fill(newPassword);
  await step('reset-filled');
  await page.locator('#reset').click();
  await waitFor('#login-form');
  await step('login-after-reset');
  result.notice = await text('#notice');
  await submitLogin('/dashboard', username, newPassword);
  result.signedInUser = await signedInUser();
  await step('dashboard');
  result.sessionCookies = cookieSummary(await cookies(SESSION_COOKIE_PREFIX));
}

/** First sign-in of an admin-created user: the temporary password, then the new-password page. */
async function adminCreatedUser() {
  await startSignIn();
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(env('TEMPORARY_PASSWORD'));
  await page.locator('#sign-in').click();
  await waitFor('#new-password-form');
  await step('new-password-page');
  result.newPasswordPageUrl = page.url();
  await page.locator('#new-password').fill(env('NEW_PASSWORD'));
  if (await page.locator('#email').count()) await page.locator('#email').fill(env('NEW_EMAIL'));
  await step('new-password-filled');
  await page.locator('#submit').click();
  await page.waitForURL(onDemo('/dashboard'), { timeout: stepTimeout, waitUntil: 'load' });
  result.signedInUser = await signedInUser();
  await step('dashboard');
  result.sessionCookies = cookieSummary(await cookies(SESSION_COOKIE_PREFIX));
}

/** The RFC 6238 code of a base32 secret now, as an authenticator app computes it. */
function totpNow(secret) {
  const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const key = [];
  for (const char of secret.replace(/[\s=]/g, '').toUpperCase()) {
    value = (value << 5) | BASE32.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      key.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const mac = createHmac('sha1', Buffer.from(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** amplify-local's login page, then its TOTP code page; ends on the app's callback with a code. */
async function totpSignIn() {
  const callback = env('CALLBACK_URL');
  await page.goto(env('AUTHORIZE_URL'));
  await waitFor('#login-form');
  await step('login-page');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('#sign-in').click();
  await waitFor('#mfa-form');
  await step('totp-page');
  result.totpPageUrl = page.url();
  result.shownCode = await page.locator('#mfa-code').count();
  await page.locator('#code').fill(totpNow(env('TOTP_SECRET')));
  await step('totp-filled');
  // No app listens behind the callback: the request the browser makes to it is what counts.
  const redirected = page.waitForRequest((request) => request.url().startsWith(callback), {
    timeout: stepTimeout,
  });
  await page.locator('#verify').click();
  result.callbackUrl = (await redirected).url();
}
