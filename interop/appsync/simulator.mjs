// The AppSync simulator from npm (@aws-amplify/amplify-appsync-simulator), standalone on 127.0.0.1, serving the
// schema of an amplify-local GraphQL API with in-memory resolvers, for tests/tests/appsync_simulator.rs.
//
//   node interop/appsync/simulator.mjs CONFIG.json
//
// CONFIG.json: {"sdl": "<amplify-local's schema SDL>", "modelIntrospection": {...}, "apiKey": "da2-...",
// "customAnswers": {"<custom operation>": <its value>, ...}} (the last optional: custom queries and mutations of the
// introspection answer that value once their `authorization` rules let the caller through).
// The SDL gets AppSync's auth directives from the models' auth rules (a provider that may read a model gets its
// directive on the model's type, connection type and query fields; one that may write it on the mutations), as
// Amplify's transformer does. The resolvers are in-process JavaScript behind an AWS_LAMBDA data source with VTL
// templates, and apply the same rules per item (owner rules by the owner field) with AppSync's error shapes.
//
// Prints one JSON line {"url": "http://127.0.0.1:PORT/graphql"} when ready, and exits when stdin closes (or on
// SIGTERM / SIGINT). The simulator checks only the shape of credentials: JWT and SigV4 signatures are never
// verified, and a user-pool token is any JWT whose `iss` starts with `https://cognito-idp.`.

import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const require = createRequire(import.meta.url);

// The simulator listens on all interfaces (httpServer.listen(port)) and probes ports the same way: force every
// listen() of this process onto loopback. Its HTTP server gets port 0 (a free port chosen by the kernel, no race
// with other processes); the probes keep theirs.
const originalListen = net.Server.prototype.listen;
let httpServer = null;
net.Server.prototype.listen = function listen(...args) {
  const isHttp = this instanceof http.Server;
  if (isHttp) httpServer = this;
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (isHttp) args[0] = 0;
    if (typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
    else args[1] = '127.0.0.1';
  } else if (args[0] && typeof args[0] === 'object' && !(args[0] instanceof net.Server)) {
    args[0] = { ...args[0], host: '127.0.0.1', ...(isHttp ? { port: 0 } : {}) };
  }
  return originalListen.apply(this, args);
};

const fail = (message) => {
  process.stderr.write(`simulator.mjs: ${message}\n`);
  process.exit(2);
};

const configPath = process.argv[2];
if (!configPath) fail('usage: node simulator.mjs CONFIG.json');
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const { sdl, modelIntrospection, apiKey } = config;
const customAnswers = config.customAnswers || {};
if (typeof sdl !== 'string' || !modelIntrospection || !modelIntrospection.models || typeof apiKey !== 'string') {
  fail('CONFIG.json needs sdl, modelIntrospection and apiKey');
}

const { AmplifyAppSyncSimulator } = require('@aws-amplify/amplify-appsync-simulator');
const { parse, print, visit, Kind } = require('graphql');

// --- the models and their rules -----------------------------------------------------------------------------

const READ_OPS = new Set(['read', 'get', 'list', 'search', 'listen', 'sync']);
const DIRECTIVE = { apiKey: 'aws_api_key', iam: 'aws_iam', userPools: 'aws_cognito_user_pools', oidc: 'aws_oidc' };
const AUTH_TYPE = { API_KEY: 'apiKey', AWS_IAM: 'iam', AMAZON_COGNITO_USER_POOLS: 'userPools', OPENID_CONNECT: 'oidc' };
const DEFAULT_PROVIDER = { public: 'apiKey', private: 'userPools', owner: 'userPools', groups: 'userPools' };

const models = Object.values(modelIntrospection.models).map((model) => {
  const auth = (model.attributes || []).find((a) => a.type === 'auth');
  const rules = ((auth && auth.properties && auth.properties.rules) || []).map((rule) => ({
    ...rule,
    provider: rule.provider || DEFAULT_PROVIDER[rule.allow] || 'userPools',
    operations: rule.operations || ['create', 'update', 'delete', 'read'],
  }));
  const key = (model.primaryKeyInfo && model.primaryKeyInfo.primaryKeyFieldName) || 'id';
  return { name: model.name, plural: model.pluralName, fields: model.fields, rules, key };
});

const providersFor = (model, read) => {
  const set = new Set();
  for (const rule of model.rules) {
    if (rule.operations.some((op) => (read ? READ_OPS.has(op) : !READ_OPS.has(op)))) {
      set.add(rule.provider);
    }
  }
  if (!model.rules.length) set.add('userPools');
  return [...set].filter((p) => DIRECTIVE[p]);
};

// --- the schema: amplify-local's SDL plus AppSync's auth directives -------------------------------------------

const APPSYNC_SCALARS = new Set([
  'AWSDate', 'AWSTime', 'AWSDateTime', 'AWSTimestamp', 'AWSEmail', 'AWSJSON', 'AWSURL', 'AWSPhone', 'AWSIPAddress',
]);
const directives = (providers) =>
  providers.map((p) => ({ kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: DIRECTIVE[p] }, arguments: [] }));

const typeDirectives = new Map();
const fieldDirectives = new Map(); // "Query.getTodo" -> providers
const resolverFields = []; // [typeName, fieldName, modelName, operation]
for (const model of models) {
  const read = providersFor(model, true);
  const write = providersFor(model, false);
  typeDirectives.set(model.name, read);
  typeDirectives.set(`Model${model.name}Connection`, read);
  for (const [field, op] of [[`get${model.name}`, 'get'], [`list${model.plural}`, 'list']]) {
    fieldDirectives.set(`Query.${field}`, read);
    resolverFields.push(['Query', field, model.name, op]);
  }
  for (const op of ['create', 'update', 'delete']) {
    fieldDirectives.set(`Mutation.${op}${model.name}`, write);
    resolverFields.push(['Mutation', `${op}${model.name}`, model.name, op]);
  }
}

// Custom queries and mutations: their `authorization` rules (amplify-local's extension; none: user pools) give
// the directives of the field and of a custom return type.
const customOps = [
  ...Object.values(modelIntrospection.queries || {}).map((op) => ['Query', op]),
  ...Object.values(modelIntrospection.mutations || {}).map((op) => ['Mutation', op]),
].map(([typeName, op]) => ({
  typeName,
  name: op.name,
  returns: op.type && op.type.nonModel,
  rules: (op.authorization || [{ allow: 'private', provider: 'userPools' }]).map((rule) => ({
    ...rule,
    provider: rule.provider || DEFAULT_PROVIDER[rule.allow] || 'userPools',
  })),
}));
for (const op of customOps) {
  const providers = [...new Set(op.rules.map((r) => r.provider))].filter((p) => DIRECTIVE[p]);
  fieldDirectives.set(`${op.typeName}.${op.name}`, providers);
  if (op.returns) {
    const known = typeDirectives.get(op.returns) || [];
    typeDirectives.set(op.returns, [...new Set([...known, ...providers])]);
  }
  resolverFields.push([op.typeName, op.name, op.name, 'custom']);
}

const stripped = visit(parse(sdl), {
  // Built-in and unknown directive definitions, the schema definition (default root names) and AppSync's scalars,
  // which the simulator declares itself.
  DirectiveDefinition: () => null,
  SchemaDefinition: () => null,
  ScalarTypeDefinition: (node) => (APPSYNC_SCALARS.has(node.name.value) ? null : undefined),
  // async-graphql's own directives (@oneOf, @specifiedBy, ...): graphql 15 does not know them.
  Directive: () => null,
});
const schema = print(
  visit(stripped, {
    ObjectTypeDefinition(node) {
      const providers = typeDirectives.get(node.name.value);
      const fields = node.fields.map((field) => {
        const own = fieldDirectives.get(`${node.name.value}.${field.name.value}`);
        return own ? { ...field, directives: directives(own) } : field;
      });
      return { ...node, directives: providers ? directives(providers) : node.directives, fields };
    },
  }),
);

// --- in-memory data and the rules per item --------------------------------------------------------------------

const tables = new Map(models.map((m) => [m.name, new Map()]));
const now = () => new Date().toISOString();

// The default schema's seed data, as amplify-local writes it on first start.
if (tables.has('Announcement')) {
  for (const [title, body] of [
    ['Welcome to amplify-local', 'This API runs offline and enforces the same auth rules as AppSync.'],
    ['Announcements are public', 'Anyone with the API key can read them; signed-in users can write them.'],
  ]) {
    const id = randomUUID();
    tables.get('Announcement').set(id, { id, title, body, createdAt: now(), updatedAt: now(), __typename: 'Announcement' });
  }
}

// Which provider a request came through, from $ctx.identity.
const providerOf = (identity) => {
  if (!identity) return 'apiKey';
  if (identity.claims && identity.sub) return 'userPools';
  if (identity.cognitoIdentityPoolId !== undefined || identity.userArn || identity.accountId) return 'iam';
  return 'apiKey';
};

const ownerValues = (rule, identity) => {
  const username = identity.username || (identity.claims && identity.claims['cognito:username']) || '';
  const sub = identity.sub || '';
  const claim = rule.identityClaim || 'sub::username';
  const written =
    claim === 'cognito:username' || claim === 'username'
      ? username
      : claim === 'sub'
        ? sub
        : claim === 'sub::username'
          ? `${sub}::${username}`
          : (identity.claims && identity.claims[claim]) || username;
  return { written, accepted: new Set([written, username, sub, `${sub}::${username}`]) };
};

const opCovered = (rule, op) =>
  rule.operations.includes(op) || ((op === 'get' || op === 'list') && rule.operations.includes('read'));

// null: denied; true: every item; a function: a per-item check.
const grant = (model, identity, op) => {
  const provider = providerOf(identity);
  const rules = model.rules.length ? model.rules : [{ allow: 'private', provider: 'userPools', operations: [op] }];
  const checks = [];
  for (const rule of rules.filter((r) => r.provider === provider && opCovered(r, op))) {
    if (rule.allow === 'owner') {
      const field = rule.ownerField || 'owner';
      const { accepted } = ownerValues(rule, identity);
      checks.push((item) => accepted.has(item[field]));
    } else if (rule.allow === 'groups') {
      const groups = (identity && identity.claims && identity.claims['cognito:groups']) || [];
      if ((rule.groups || []).some((g) => groups.includes(g))) return true;
    } else {
      return true;
    }
  }
  return checks.length ? (item) => checks.some((check) => check(item)) : null;
};

const allows = (granted, item) => granted === true || (typeof granted === 'function' && granted(item));

const ok = (value) => ({ ok: value === undefined ? null : value });
const unauthorized = { unauthorized: true };
const conditional = { error: { type: 'DynamoDB:ConditionalCheckFailedException', message: 'The conditional request failed' } };

const customAllowed = (op, identity) => {
  const provider = providerOf(identity);
  return op.rules.some((rule) => {
    if (rule.provider !== provider) return false;
    if (rule.allow === 'groups') {
      const groups = (identity && identity.claims && identity.claims['cognito:groups']) || [];
      return (rule.groups || []).some((g) => groups.includes(g));
    }
    return rule.allow !== 'owner';
  });
};

const invoke = async ({ model: name, op, args, identity }) => {
  if (op === 'custom') {
    const custom = customOps.find((o) => o.name === name);
    if (!customAllowed(custom, identity)) return unauthorized;
    return ok(customAnswers[name]);
  }
  const model = models.find((m) => m.name === name);
  const table = tables.get(name);
  const granted = grant(model, identity, op);
  if (!granted) return unauthorized;
  switch (op) {
    case 'get': {
      const item = table.get(args[model.key]);
      if (!item) return ok(null);
      return allows(granted, item) ? ok(item) : unauthorized;
    }
    case 'list': {
      const all = [...table.values()].filter((item) => allows(granted, item));
      const start = args.nextToken ? Number(Buffer.from(args.nextToken, 'base64').toString('utf8')) : 0;
      const limit = args.limit || 100;
      const items = all.slice(start, start + limit);
      const more = start + limit < all.length;
      return ok({ items, nextToken: more ? Buffer.from(String(start + limit)).toString('base64') : null });
    }
    case 'create': {
      const input = { ...args.input };
      const item = { ...input, [model.key]: input[model.key] || randomUUID(), createdAt: now(), updatedAt: now() };
      for (const rule of model.rules.filter((r) => r.allow === 'owner' && r.provider === providerOf(identity))) {
        const field = rule.ownerField || 'owner';
        if (item[field] == null) item[field] = ownerValues(rule, identity).written;
      }
      if (!allows(granted, item)) return unauthorized;
      item.__typename = name;
      table.set(item[model.key], item);
      return ok(item);
    }
    case 'update': {
      const existing = table.get(args.input[model.key]);
      if (!existing) return conditional;
      if (!allows(granted, existing)) return unauthorized;
      const item = { ...existing, ...args.input, updatedAt: now() };
      table.set(item[model.key], item);
      return ok(item);
    }
    case 'delete': {
      const existing = table.get(args.input[model.key]);
      if (!existing) return conditional;
      if (!allows(granted, existing)) return unauthorized;
      table.delete(existing[model.key]);
      return ok(existing);
    }
    default:
      throw new Error(`unknown operation ${op}`);
  }
};

const requestTemplate = (model, op) =>
  `{"version":"2018-05-29","operation":"Invoke","payload":{"model":"${model}","op":"${op}",` +
  '"args":$util.toJson($ctx.args),"identity":$util.toJson($ctx.identity)}}';
const responseTemplate = [
  '#if($ctx.result.unauthorized)',
  '$util.unauthorized()',
  '#elseif($ctx.result.error)',
  '$util.error($ctx.result.error.message, $ctx.result.error.type)',
  '#else',
  '$util.toJson($ctx.result.ok)',
  '#end',
].join('\n');

// --- the simulator ---------------------------------------------------------------------------------------------

const defaultType = modelIntrospection.defaultAuthorizationType || 'AMAZON_COGNITO_USER_POOLS';
const simulator = new AmplifyAppSyncSimulator({ port: 0, wsPort: 0 });
simulator.init({
  schema: { content: schema },
  dataSources: [{ type: 'AWS_LAMBDA', name: 'memory', invoke }],
  resolvers: resolverFields.map(([typeName, fieldName]) => ({
    kind: 'UNIT',
    typeName,
    fieldName,
    dataSourceName: 'memory',
    requestMappingTemplateLocation: `${typeName}.${fieldName}.req.vtl`,
    responseMappingTemplateLocation: `${typeName}.${fieldName}.res.vtl`,
  })),
  mappingTemplates: resolverFields.flatMap(([typeName, fieldName, model, op]) => [
    { path: `${typeName}.${fieldName}.req.vtl`, content: requestTemplate(model, op) },
    { path: `${typeName}.${fieldName}.res.vtl`, content: responseTemplate },
  ]),
  appSync: {
    name: 'amplify-local-cross-check',
    apiKey,
    accountId: '123456789012',
    authAccessKeyId: 'AKIDAUTHENTICATED',
    authRoleName: 'authRole',
    unAuthRoleName: 'unauthRole',
    defaultAuthenticationType: { authenticationType: defaultType, cognitoUserPoolConfig: {} },
    additionalAuthenticationProviders: Object.keys(AUTH_TYPE)
      .filter((type) => type !== defaultType && type !== 'OPENID_CONNECT')
      .map((authenticationType) => ({ authenticationType })),
  },
});

const stop = () => {
  simulator.stop().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();

simulator
  .start()
  .then(() => {
    const { port } = httpServer.address();
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/graphql` })}\n`);
  })
  .catch((error) => fail(`the simulator did not start: ${error && error.stack ? error.stack : error}`));
