// A real OpenID Connect provider (the npm package oidc-provider) for the single sign-on tests.
//
//   node server.mjs PORT   with IDP_CLIENT (JSON: client_id, client_secret, redirect_uris,
//                          post_logout_redirect_uris) and IDP_ACCOUNTS (JSON: login -> {email, groups}).
//
// Signs ID tokens with RS256 under a key made at start-up and published at /jwks. Its development log-in
// page takes any password for a login named in IDP_ACCOUNTS. Test-only switch: POST /_test/next-token with
// {"mode": ...} makes the NEXT token response carry a bad ID token, so the tests can show that the
// dashboard refuses it: "tampered" (payload changed, signature kept), "wrong_audience", "expired",
// "stale_auth_time" (signed properly by this provider's key, as an IdP that ignored max_age would).
import * as jose from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const issuer = `http://127.0.0.1:${port}`;
const client = JSON.parse(process.env.IDP_CLIENT);
const accounts = JSON.parse(process.env.IDP_ACCOUNTS);

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await jose.exportJWK(privateKey)), kid: 'test-signing-key', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [{
    ...client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [signingKey] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: { openid: ['sub'], email: ['email'], profile: ['preferred_username', 'name'], groups: ['groups'] },
  conformIdTokenClaims: false, // the groups go into the ID token too, as Keycloak's group mapper does
  pkce: { required: () => false },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  // The dashboard is a first-party client: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, name: id, email: account.email, groups: account.groups };
      },
    };
  },
});

let nextTokenMode = null;

async function resign(payload) {
  return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid, typ: 'JWT' })
    .sign(privateKey);
}

async function spoil(idToken, mode) {
  const [header, body, signature] = idToken.split('.');
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'tampered':
      payload.groups = ['cloud-admins'];
      return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
    case 'wrong_audience':
      return resign({ ...payload, aud: 'another-application' });
    case 'expired':
      return resign({ ...payload, iat: now - 7200, exp: now - 3600 });
    case 'stale_auth_time':
      return resign({ ...payload, auth_time: now - 3600 });
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/_test/next-token' && ctx.method === 'POST') {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    nextTokenMode = JSON.parse(Buffer.concat(chunks).toString()).mode;
    ctx.body = { mode: nextTokenMode };
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && nextTokenMode && ctx.body?.id_token) {
    const mode = nextTokenMode;
    nextTokenMode = null;
    ctx.body = { ...ctx.body, id_token: await spoil(ctx.body.id_token, mode) };
  }
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`test IdP listening on ${issuer}`);
});
