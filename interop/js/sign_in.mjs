// Signs in with aws-amplify (ssr: true, cookies) against a user pool at IDP_EP.
//
// env: POOL, CLIENT, IDP_EP, USERNAME, PASSWORD, optional AUTH_FLOW (e.g. USER_PASSWORD_AUTH;
//      unset = Amplify's default flow, USER_SRP_AUTH), optional COOKIE (initial jar).
// stdout: one JSON object
//   { signIn, currentUser, error, writes: [raw document.cookie strings], cookieHeader }
// Auth failures are reported in `error` ({ name, message }); the exit code is 0 unless the
// script itself is broken.
import {
  cognitoConfig,
  describeError,
  finish,
  installBrowser,
  requireEnv,
  routeConsoleToStderr,
} from './lib/browser.mjs';

routeConsoleToStderr();
const browser = installBrowser(process.env.COOKIE ?? '');
const { Amplify } = await import('aws-amplify');
const { signIn, getCurrentUser } = await import('aws-amplify/auth');

Amplify.configure(cognitoConfig(), { ssr: true });

const username = requireEnv('USERNAME');
const password = requireEnv('PASSWORD');
const authFlowType = process.env.AUTH_FLOW || undefined;

const result = { signIn: null, currentUser: null, error: null };
try {
  result.signIn = await signIn({
    username,
    password,
    options: authFlowType ? { authFlowType } : undefined,
  });
  result.currentUser = await getCurrentUser();
} catch (error) {
  result.error = describeError(error);
}
result.writes = browser.writes;
result.cookieHeader = browser.cookieHeader();
finish(result);
