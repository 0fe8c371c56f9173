// Test OpenID Connect provider mimicking FranceConnect v2's integration platform.
//
// Used by the Python test suite (see tests/fc_provider.py). Not for production.
//
//   node tests/franceconnect/provider.mjs --port N --client-id ID --client-secret SECRET
//
// Serves on 127.0.0.1:N with issuer http://127.0.0.1:N and prints "READY <issuer>" on
// stdout once listening. Test control API (POST, JSON) under /__test__/:
//   /__test__/reset       identities back to the defaults, misbehaviour off, storage cleared
//   /__test__/identities  {login, sub, claims: {...}, max_level}  add or replace an identity
//   /__test__/misbehave   {id_token: null|"rogue_key"|"expired"|"no_nonce"|"wrong_audience",
//                          userinfo: null|"rogue_key"|"plain_json"}

import * as crypto from 'node:crypto';
import { parseArgs } from 'node:util';

import * as jose from 'jose';
import Provider from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
  },
});

if (!args.port || !args['client-id'] || !args['client-secret']) {
  process.stderr.write('usage: node provider.mjs --port N --client-id ID --client-secret SECRET\n');
  process.exit(2);
}

const PORT = Number.parseInt(args.port, 10);
const HOST = '127.0.0.1';
const ISSUER = `http://${HOST}:${PORT}`;
const CLIENT_ID = args['client-id'];
const CLIENT_SECRET = args['client-secret'];

const log = (...parts) => process.stderr.write(`[fc-test-provider] ${parts.join(' ')}\n`);

// ---------------------------------------------------------------------------------------
// Keys: "genuine" signs and is published in the JWKS; "rogue" is never published.

function generateRsaKey(kid) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { privateKey, jwk };
}

const GENUINE = generateRsaKey('genuine');
const ROGUE = generateRsaKey('rogue');

// ---------------------------------------------------------------------------------------
// Identities (in-memory, keyed by login).

const LEVELS = ['eidas1', 'eidas2', 'eidas3'];

function defaultIdentities() {
  return new Map([
    ['angela', {
      sub: 'fc-sub-angela',
      maxLevel: 'eidas3',
      claims: {
        given_name: 'Angela Claire Louise',
        given_name_array: ['Angela', 'Claire', 'Louise'],
        family_name: 'DUBOIS',
        preferred_username: '',
        birthdate: '1962-08-24',
        gender: 'female',
        birthplace: '75107',
        birthcountry: '99100',
        email: 'angela.dubois@example.test',
      },
    }],
    ['pierre', {
      sub: 'fc-sub-pierre',
      maxLevel: 'eidas1',
      claims: {
        given_name: 'Pierre',
        given_name_array: ['Pierre'],
        family_name: 'MARTIN',
        preferred_username: 'DURAND',
        birthdate: '1990-01-31',
        gender: 'male',
        birthplace: '',
        birthcountry: '99109',
        email: 'pierre.martin@example.test',
      },
    }],
  ]);
}

let identities = defaultIdentities();
let misbehaviour = { id_token: null, userinfo: null };

const ID_TOKEN_MODES = new Set([null, 'rogue_key', 'expired', 'no_nonce', 'wrong_audience']);
const USERINFO_MODES = new Set([null, 'rogue_key', 'plain_json']);

function identityBySub(sub) {
  for (const identity of identities.values()) {
    if (identity.sub === sub) return identity;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Storage: the stock in-memory adapter, behind a switch so that /__test__/reset can drop
// every session, interaction, grant and token at once.

let storageFactory = createMemoryAdapter();

class ResettableAdapter {
  constructor(name) {
    this.name = name;
  }

  #inner() {
    return storageFactory(this.name);
  }

  upsert(...a) { return this.#inner().upsert(...a); }

  find(...a) { return this.#inner().find(...a); }

  findByUserCode(...a) { return this.#inner().findByUserCode(...a); }

  findByUid(...a) { return this.#inner().findByUid(...a); }

  consume(...a) { return this.#inner().consume(...a); }

  destroy(...a) { return this.#inner().destroy(...a); }

  revokeByGrantId(...a) { return this.#inner().revokeByGrantId(...a); }
}

// ---------------------------------------------------------------------------------------
// HTML helpers.

function esc(value) {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title, body, { script } = {}) {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${esc(title)}</title>
  <style>
    body { font-family: sans-serif; margin: 2rem auto; max-width: 28rem; }
    label { display: block; margin-top: 1rem; }
    input { display: block; width: 100%; box-sizing: border-box; padding: .4rem; }
    button { margin-top: 1.5rem; padding: .5rem 1rem; }
    .erreur { color: #b00; font-weight: bold; }
  </style>
</head>
<body>
  <main>
    <h1>${esc(title)}</h1>
${body}
  </main>${script ? `\n  <script>${script}</script>` : ''}
</body>
</html>`;
}

const LOGIN_TITLE = "Fournisseur d'identité de test";

function loginPage(uid, { error, login } = {}) {
  return page(LOGIN_TITLE, `
    ${error ? `<p class="erreur" role="alert">${esc(error)}</p>` : ''}
    <form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
      <label for="login">Identifiant</label>
      <input type="text" id="login" name="login" value="${esc(login)}" required autofocus>
      <label for="password">Mot de passe</label>
      <input type="password" id="password" name="password">
      <button type="submit">Se connecter</button>
    </form>`);
}

// ---------------------------------------------------------------------------------------
// Provider configuration.

const IDENTITY_CLAIMS = [
  'given_name', 'given_name_array', 'family_name', 'birthdate', 'gender',
  'birthplace', 'birthcountry', 'email', 'preferred_username',
];

const configuration = {
  adapter: ResettableAdapter,
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    // Any 127.0.0.1 / localhost / testserver URI is accepted (see the Client overrides below).
    redirect_uris: ['http://127.0.0.1/dummy-callback'],
    post_logout_redirect_uris: ['http://127.0.0.1/dummy-logout-callback'],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
    userinfo_signed_response_alg: 'RS256',
  }],
  // client_secret_basic is accepted too, whatever the client's registered method is.
  clientAuthMethods: ['client_secret_post', 'client_secret_basic'],
  jwks: { keys: [GENUINE.jwk] },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  scopes: ['openid', ...IDENTITY_CLAIMS],
  claims: {
    // acr under "openid" so the ID token always carries it (as FranceConnect does), even
    // when acr_values was not sent; the identity claims are only released by userinfo.
    openid: ['sub', 'acr'],
    ...Object.fromEntries(IDENTITY_CLAIMS.map((claim) => [claim, [claim]])),
  },
  acrValues: LEVELS,
  conformIdTokenClaims: true,
  responseTypes: ['code'],
  pkce: { required: () => false },
  ttl: {
    AccessToken: 60,
    AuthorizationCode: 60,
    IdToken: 60,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        // The hidden "logout" input makes the confirmation end the provider's session too
        // (a script-driven form.submit() does not send a button's name/value).
        const fullForm = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
        ctx.type = 'html';
        ctx.body = page("Déconnexion du fournisseur d'identité de test", `
    ${fullForm}
    <button type="submit" form="op.logoutForm">Se déconnecter</button>`, {
          script: "document.addEventListener('DOMContentLoaded', function () { document.getElementById('op.logoutForm').submit(); });",
        });
      },
      async postLogoutSuccessSource(ctx) {
        ctx.type = 'html';
        ctx.body = page("Déconnexion du fournisseur d'identité de test", `
    <p>Vous êtes déconnecté du fournisseur d'identité de test.</p>`);
      },
    },
  },
  interactions: {
    url(ctx, interaction) {
      return `/interaction/${interaction.uid}`;
    },
  },
  async findAccount(ctx, sub) {
    const identity = identityBySub(sub);
    if (!identity) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { ...identity.claims, sub };
      },
    };
  },
  async renderError(ctx, out, error) {
    log('renderError:', JSON.stringify(out), error?.name === 'InternalServerError' ? error.stack : '');
    ctx.type = 'html';
    ctx.body = page('Erreur du fournisseur d\'identité de test', Object.entries(out)
      .map(([key, value]) => `    <p><strong>${esc(key)}</strong>: ${esc(value)}</p>`).join('\n'));
  },
};

const provider = new Provider(ISSUER, configuration);
provider.proxy = false;

// Redirect URIs: any http(s) URI on 127.0.0.1, localhost or testserver, any port.
const ALLOWED_HOSTS = new Set(['127.0.0.1', 'localhost', 'testserver']);

function localUri(value) {
  try {
    const url = new URL(value);
    return ['http:', 'https:'].includes(url.protocol) && ALLOWED_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
  return localUri(value);
};
provider.Client.prototype.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(value) {
  return localUri(value);
};

// ---------------------------------------------------------------------------------------
// Logging.

for (const event of [
  'server_error', 'authorization.error', 'grant.error', 'userinfo.error', 'end_session.error',
  'introspection.error', 'revocation.error', 'jwks.error', 'discovery.error', 'check_session.error',
]) {
  provider.on(event, (ctx, err) => {
    log(`${event}:`, ctx?.method ?? '', ctx?.path ?? '', err?.name ?? '', err?.message ?? '',
      err?.error_description ?? '', event === 'server_error' ? (err?.stack ?? '') : '');
  });
}

// ---------------------------------------------------------------------------------------
// Misbehaviour: rewrite token and userinfo responses after the provider built them.

async function resign(payload, header, key) {
  return new jose.SignJWT(payload)
    .setProtectedHeader({ ...header, alg: 'RS256', kid: 'genuine' })
    .sign(key);
}

async function misbehaveIdToken(idToken, mode) {
  const header = jose.decodeProtectedHeader(idToken);
  const payload = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'rogue_key':
      return resign(payload, header, ROGUE.privateKey);
    case 'expired':
      return resign({ ...payload, iat: now - 3600, exp: now - 1800 }, header, GENUINE.privateKey);
    case 'no_nonce': {
      const { nonce, ...rest } = payload;
      return resign(rest, header, GENUINE.privateKey);
    }
    case 'wrong_audience':
      return resign({ ...payload, aud: 'someone-else' }, header, GENUINE.privateKey);
    default:
      return idToken;
  }
}

provider.use(async (ctx, next) => {
  await next();
  const route = ctx.oidc?.route;
  if (ctx.status !== 200) return;

  if (route === 'token' && misbehaviour.id_token && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await misbehaveIdToken(ctx.body.id_token, misbehaviour.id_token) };
    log(`misbehave: id_token ${misbehaviour.id_token}`);
  }

  if (route === 'userinfo' && misbehaviour.userinfo && typeof ctx.body === 'string'
      && ctx.response.type === 'application/jwt') {
    const header = jose.decodeProtectedHeader(ctx.body);
    const payload = jose.decodeJwt(ctx.body);
    if (misbehaviour.userinfo === 'rogue_key') {
      ctx.body = await resign(payload, header, ROGUE.privateKey);
      ctx.type = 'application/jwt; charset=utf-8';
    } else if (misbehaviour.userinfo === 'plain_json') {
      const { iss, aud, iat, exp, ...claims } = payload;
      ctx.body = claims;
      ctx.type = 'application/json; charset=utf-8';
    }
    log(`misbehave: userinfo ${misbehaviour.userinfo}`);
  }
});

// ---------------------------------------------------------------------------------------
// Custom routes: interactions and the test control API.

async function readBody(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(ctx) {
  const text = await readBody(ctx);
  if (!text.trim()) return {};
  return JSON.parse(text);
}

function requestedClaimNames(claimsParam) {
  if (!claimsParam) return [];
  let parsed = claimsParam;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      return [];
    }
  }
  const names = new Set();
  for (const target of ['id_token', 'userinfo']) {
    for (const name of Object.keys(parsed?.[target] ?? {})) names.add(name);
  }
  return [...names];
}

async function grantEverythingRequested(interaction, accountId) {
  const { params } = interaction;
  let grant;
  if (interaction.grantId) {
    grant = await provider.Grant.find(interaction.grantId);
  }
  if (!grant) {
    grant = new provider.Grant({ accountId, clientId: params.client_id });
  }
  const scopes = new Set(['openid', ...String(params.scope ?? '').split(' ').filter(Boolean)]);
  grant.addOIDCScope([...scopes].join(' '));
  const claims = requestedClaimNames(params.claims);
  if (claims.length) grant.addOIDCClaims(claims);
  return grant.save();
}

function chooseAcr(identity, acrValues) {
  const max = LEVELS.indexOf(identity.maxLevel);
  const requested = String(acrValues ?? '').split(' ').filter(Boolean)[0];
  if (requested && LEVELS.includes(requested) && LEVELS.indexOf(requested) <= max) return requested;
  return identity.maxLevel;
}

async function finish(ctx, result) {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(returnTo);
}

provider.use(async (ctx, next) => {
  try {
    // ----- Test control API -----
    if (ctx.path.startsWith('/__test__/')) {
      if (ctx.method !== 'POST') {
        ctx.status = 405;
        ctx.body = { ok: false, error: 'POST only' };
        return;
      }
      const body = await readJson(ctx);
      switch (ctx.path) {
        case '/__test__/reset':
          identities = defaultIdentities();
          misbehaviour = { id_token: null, userinfo: null };
          storageFactory = createMemoryAdapter();
          break;
        case '/__test__/identities': {
          const { login, sub, claims = {}, max_level: maxLevel = 'eidas1' } = body;
          if (!login || !sub || !LEVELS.includes(maxLevel)) {
            ctx.status = 400;
            ctx.body = { ok: false, error: 'login, sub and a max_level among eidas1..3 are required' };
            return;
          }
          identities.set(login, { sub, maxLevel, claims: { ...claims } });
          break;
        }
        case '/__test__/misbehave': {
          const next = { id_token: body.id_token ?? null, userinfo: body.userinfo ?? null };
          if (!ID_TOKEN_MODES.has(next.id_token) || !USERINFO_MODES.has(next.userinfo)) {
            ctx.status = 400;
            ctx.body = { ok: false, error: `unknown misbehaviour ${JSON.stringify(body)}` };
            return;
          }
          misbehaviour = next;
          break;
        }
        default:
          ctx.status = 404;
          ctx.body = { ok: false, error: 'unknown test control endpoint' };
          return;
      }
      ctx.status = 200;
      ctx.body = { ok: true };
      return;
    }

    // ----- Interactions -----
    const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (match) {
      const [, uid, isLogin] = match;
      const interaction = await provider.interactionDetails(ctx.req, ctx.res);
      if (interaction.uid !== uid) {
        ctx.status = 400;
        ctx.type = 'html';
        ctx.body = page(LOGIN_TITLE, '    <p class="erreur">Interaction inconnue.</p>');
        return;
      }
      const { prompt } = interaction;

      if (!isLogin && ctx.method === 'GET') {
        if (prompt.name === 'login') {
          ctx.type = 'html';
          ctx.body = loginPage(uid);
          return;
        }
        // Consent (or anything else) after login: grant everything requested, no page.
        const accountId = interaction.session?.accountId;
        const grantId = await grantEverythingRequested(interaction, accountId);
        await finish(ctx, { consent: { grantId } });
        return;
      }

      if (isLogin && ctx.method === 'POST') {
        const form = new URLSearchParams(await readBody(ctx));
        const login = (form.get('login') ?? '').trim();
        const identity = identities.get(login);
        if (!identity) {
          ctx.status = 200;
          ctx.type = 'html';
          ctx.body = loginPage(uid, { error: 'Identifiant inconnu', login });
          return;
        }
        const accountId = identity.sub;
        const acr = chooseAcr(identity, interaction.params.acr_values);
        const grantId = await grantEverythingRequested(
          { ...interaction, grantId: interaction.session?.accountId === accountId ? interaction.grantId : undefined },
          accountId,
        );
        await finish(ctx, { login: { accountId, acr }, consent: { grantId } });
        return;
      }

      ctx.status = 405;
      ctx.body = 'method not allowed';
      return;
    }
  } catch (err) {
    log('custom route error:', ctx.method, ctx.path, err?.stack ?? String(err));
    throw err;
  }

  await next();
});

// ---------------------------------------------------------------------------------------

const server = provider.listen(PORT, HOST, () => {
  process.stdout.write(`READY ${ISSUER}\n`);
});
server.on('error', (err) => {
  log('listen error:', err.stack);
  process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
