// A real OpenID provider for the tests (oidc-provider), configured by the test through
// the OP_CONFIG environment variable (JSON): issuer, port, clients, accounts, jwks.
// Interactions are automatic: the account is the request's login_hint (or the default
// account) and consent is granted for the requested scopes, so tests drive the whole
// authorization code flow over HTTP without a browser.
import http from 'node:http';
import Provider from 'oidc-provider';

const cfg = JSON.parse(process.env.OP_CONFIG);
const accounts = cfg.accounts;

const provider = new Provider(cfg.issuer, {
  clients: cfg.clients,
  jwks: cfg.jwks,
  cookies: { keys: ['test-op-cookie-key-0123456789'] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { IdToken: cfg.id_token_ttl || 3600 },
  async findAccount(ctx, id) {
    if (!accounts[id]) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...accounts[id] }; } };
  },
});

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  let result;
  if (prompt.name === 'login') {
    const accountId = params.login_hint || cfg.default_account;
    if (!accounts[accountId]) {
      result = { error: 'access_denied', error_description: 'unknown test account' };
    } else {
      result = { login: { accountId } };
    }
  } else {
    const grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    grant.addOIDCScope(params.scope);
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => { res.statusCode = 500; res.end(String(err)); });
    return;
  }
  callback(req, res);
});
server.listen(cfg.port, '127.0.0.1', () => {
  process.stdout.write(`listening ${cfg.port}\n`);
});
