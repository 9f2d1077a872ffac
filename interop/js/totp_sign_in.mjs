// aws-amplify's TOTP flows against a user pool at IDP_EP, computing codes from the shared
// secret as an authenticator app would (RFC 6238: HMAC-SHA-1, 6 digits, 30 s), for the time
// TOTP_TIME (Unix seconds: the backend's clock, which tests freeze and move).
//
// env: POOL, CLIENT, IDP_EP, USERNAME, PASSWORD, TOTP_TIME, MODE, and SECRET for
//      MODE=sign-in-with-totp. MODE is one of
//        setup-at-sign-in   signIn -> CONTINUE_SIGN_IN_WITH_TOTP_SETUP -> confirmSignIn(code)
//        setup-signed-in    signIn -> setUpTOTP -> verifyTOTPSetup -> updateMFAPreference(PREFERRED)
//        sign-in-with-totp  signIn -> CONFIRM_SIGN_IN_WITH_TOTP_CODE -> confirmSignIn(code)
// stdout: one JSON object { steps: [signInStep...], secret, setupUri, preference, isSignedIn,
//         currentUser, error }.
import { createHmac } from 'node:crypto';

import {
  cognitoConfig,
  describeError,
  finish,
  installBrowser,
  requireEnv,
  routeConsoleToStderr,
} from './lib/browser.mjs';

routeConsoleToStderr();
installBrowser('');
const { Amplify } = await import('aws-amplify');
const auth = await import('aws-amplify/auth');

Amplify.configure(cognitoConfig(), { ssr: true });

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Decode(text) {
  let bits = 0;
  let value = 0;
  const out = [];
  for (const char of text.replace(/[\s=]/g, '').toUpperCase()) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function totp(secret, unixSeconds) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

const mode = requireEnv('MODE');
const time = Number(requireEnv('TOTP_TIME'));
const username = requireEnv('USERNAME');
const password = requireEnv('PASSWORD');

const result = { steps: [], secret: null, setupUri: null, preference: null, isSignedIn: false };
try {
  let step = await auth.signIn({ username, password });
  result.steps.push(step.nextStep.signInStep);
  if (mode === 'setup-at-sign-in') {
    const details = step.nextStep.totpSetupDetails;
    result.secret = details.sharedSecret;
    result.setupUri = details.getSetupUri('amplify-local').toString();
    step = await auth.confirmSignIn({ challengeResponse: totp(result.secret, time) });
    result.steps.push(step.nextStep.signInStep);
  } else if (mode === 'setup-signed-in') {
    const details = await auth.setUpTOTP();
    result.secret = details.sharedSecret;
    result.setupUri = details.getSetupUri('amplify-local').toString();
    await auth.verifyTOTPSetup({ code: totp(result.secret, time) });
    await auth.updateMFAPreference({ totp: 'PREFERRED' });
    result.preference = await auth.fetchMFAPreference();
  } else if (mode === 'sign-in-with-totp') {
    step = await auth.confirmSignIn({ challengeResponse: totp(requireEnv('SECRET'), time) });
    result.steps.push(step.nextStep.signInStep);
  } else {
    throw new Error(`unknown MODE ${mode}`);
  }
  result.isSignedIn = step.isSignedIn;
  result.currentUser = await auth.getCurrentUser();
} catch (error) {
  result.error = describeError(error);
}
finish(result);
