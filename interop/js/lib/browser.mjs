// A minimal browser stand-in for running aws-amplify v6 with `{ ssr: true }` in Node.
//
// With `ssr: true` Amplify stores tokens through js-cookie, which reads and writes
// `document.cookie`. This module installs a `document` whose `cookie` property behaves
// like a browser's cookie jar for one origin and records every raw string written to
// it, so tests can check the exact names, values and attributes Amplify produces.
//
// It must be installed BEFORE aws-amplify is imported (use a dynamic `import()` after
// calling `installBrowser`), because Amplify probes `document` while it loads.

/**
 * @param {string} cookieHeader initial jar, as a `Cookie:` request header value
 * @returns {{ writes: string[], cookieHeader: () => string, jar: Map<string, string> }}
 */
export function installBrowser(cookieHeader = '') {
  const jar = new Map();
  const writes = [];
  for (const part of cookieHeader.split(';')) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf('=');
    if (eq < 0) jar.set(trimmed, '');
    else jar.set(trimmed.slice(0, eq), trimmed.slice(eq + 1));
  }

  const serialize = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

  const store = (raw) => {
    writes.push(raw);
    const [pair, ...attributes] = raw.split(';');
    const eq = pair.indexOf('=');
    const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    const value = eq < 0 ? '' : pair.slice(eq + 1).trim();
    let expired = false;
    for (const attribute of attributes) {
      const [key, ...rest] = attribute.trim().split('=');
      const attributeValue = rest.join('=');
      if (/^expires$/i.test(key) && new Date(attributeValue).getTime() <= Date.now()) expired = true;
      if (/^max-age$/i.test(key) && Number(attributeValue) <= 0) expired = true;
    }
    if (expired) jar.delete(name);
    else jar.set(name, value);
  };

  globalThis.document = {
    // Amplify's framework detection queries the DOM once `document` exists.
    querySelector: () => null,
    querySelectorAll: () => [],
    getElementById: () => null,
    get cookie() {
      return serialize();
    },
    set cookie(raw) {
      store(String(raw));
    },
  };

  return { writes, jar, cookieHeader: serialize };
}

/** Turns a thrown value into the JSON shape the Rust tests expect. */
export function describeError(error) {
  if (error === null || typeof error !== 'object') {
    return { name: 'Error', message: String(error) };
  }
  const out = { name: error.name ?? 'Error', message: error.message ?? String(error) };
  if (error.underlyingError) {
    out.underlying = {
      name: error.underlyingError.name,
      message: error.underlyingError.message,
    };
  }
  return out;
}

/**
 * Keeps stdout for the single JSON result: anything the library logs goes to stderr.
 * Call this before importing aws-amplify.
 */
export function routeConsoleToStderr() {
  const toStderr = (...args) => {
    process.stderr.write(`${args.map((a) => (typeof a === 'string' ? a : safeInspect(a))).join(' ')}\n`);
  };
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  console.warn = toStderr;
}

function safeInspect(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Prints the result as one JSON line on stdout, then exits (Amplify may keep timers alive). */
export function finish(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}

/** Reads a required environment variable; a missing one is a bug in the caller. */
export function requireEnv(name) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`missing required environment variable ${name}\n`);
    process.exit(2);
  }
  return value;
}

/** Amplify configuration for a user pool served at a custom endpoint. */
export function cognitoConfig() {
  return {
    Auth: {
      Cognito: {
        userPoolId: requireEnv('POOL'),
        userPoolClientId: requireEnv('CLIENT'),
        userPoolEndpoint: requireEnv('IDP_EP'),
      },
    },
  };
}

/** Decodes a JWT's payload without verifying it (the Rust side verifies). */
export function jwtClaims(token) {
  if (!token) return null;
  const text = typeof token === 'string' ? token : token.toString();
  const payload = text.split('.')[1];
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}
