// Signs out with aws-amplify (ssr: true) starting from a cookie jar.
//
// env: COOKIE (Cookie header value), POOL, CLIENT, IDP_EP, optional GLOBAL=1 (global sign-out).
// stdout: one JSON object { error, writes: [raw document.cookie strings], cookieHeader }
import {
  cognitoConfig,
  describeError,
  finish,
  installBrowser,
  routeConsoleToStderr,
} from './lib/browser.mjs';

routeConsoleToStderr();
const browser = installBrowser(process.env.COOKIE ?? '');
const { Amplify } = await import('aws-amplify');
const { signOut } = await import('aws-amplify/auth');

Amplify.configure(cognitoConfig(), { ssr: true });

const result = { error: null };
try {
  await signOut({ global: process.env.GLOBAL === '1' });
} catch (error) {
  result.error = describeError(error);
}
result.writes = browser.writes;
result.cookieHeader = browser.cookieHeader();
finish(result);
