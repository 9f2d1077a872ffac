// Loads a cookie jar (as a browser would hold it) and asks aws-amplify (ssr: true) for the session.
//
// env: COOKIE (Cookie header value), POOL, CLIENT, IDP_EP,
//      optional FORCE_REFRESH=1 (fetchAuthSession({ forceRefresh: true })),
//      optional ATTRIBUTES=1 (also fetchUserAttributes, which calls GetUser).
// stdout: one JSON object
//   { currentUser, session: { signedIn, sub, username, accessTokenExp, accessTokenIat,
//     accessClaims, idClaims }, attributes, error, errors: { step: {name,message} },
//     writes: [raw document.cookie strings], cookieHeader: jar afterwards }
// `error` is the first failure (or null); each failing step is also null with its error in
// `errors`. Tokens are not printed: the jar is, as `cookieHeader`, for the caller to decode.
import {
  cognitoConfig,
  describeError,
  finish,
  installBrowser,
  jwtClaims,
  routeConsoleToStderr,
} from './lib/browser.mjs';

routeConsoleToStderr();
const browser = installBrowser(process.env.COOKIE ?? '');
const { Amplify } = await import('aws-amplify');
const { getCurrentUser, fetchAuthSession, fetchUserAttributes } = await import('aws-amplify/auth');

Amplify.configure(cognitoConfig(), { ssr: true });

const result = { currentUser: null, session: null, attributes: null, error: null, errors: {} };
const step = async (name, run) => {
  try {
    result[name] = await run();
  } catch (error) {
    result[name] = null;
    result.errors[name] = describeError(error);
    result.error ??= result.errors[name];
  }
};

await step('currentUser', () => getCurrentUser());
await step('session', async () => {
  const session = await fetchAuthSession({ forceRefresh: process.env.FORCE_REFRESH === '1' });
  const accessClaims = jwtClaims(session.tokens?.accessToken);
  return {
    signedIn: Boolean(session.tokens),
    sub: session.userSub ?? null,
    username: accessClaims?.username ?? null,
    accessTokenExp: accessClaims?.exp ?? null,
    accessTokenIat: accessClaims?.iat ?? null,
    accessClaims,
    idClaims: jwtClaims(session.tokens?.idToken),
  };
});
if (process.env.ATTRIBUTES === '1') {
  await step('attributes', () => fetchUserAttributes());
}
result.writes = browser.writes;
result.cookieHeader = browser.cookieHeader();
finish(result);
