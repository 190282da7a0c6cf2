// A small in-memory stand-in for the Flask API (the contract in DESIGN.md), for working on the
// frontend without the backend: `npm run build && node e2e/mock-server.mjs` then BASE_URL=http://127.0.0.1:5055.
// It is not a test oracle: the real journeys run against the real app (tests/e2e/test_browser.py).
import { createServer } from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const port = Number(process.env.PORT ?? 5055);
const PASSWORD = 'demo-password-2026';
const users = ['patient', 'referrer', 'specialist', 'coordinator', 'admin'].map((role) => ({
  id: randomUUID(),
  email: `${role}@demo.telehealth.local`,
  name: `Demo ${role[0].toUpperCase()}${role.slice(1)}`,
  roles: [role],
  organization: null,
  password: PASSWORD,
}));
const sessions = new Map(); // sid -> {userId, csrf}
const cases = [];
const messages = new Map();
const timeline = new Map();

const now = () => new Date().toISOString();
const publicUser = ({ password: _p, ...u }) => u;
const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const fail = (res, status, code, message) => send(res, status, { error: { code, message, details: null } });
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml' };

function allowed(c, user) {
  const own = c.created_by.id === user.id;
  const a = [];
  if (own && c.status === 'draft') a.push('edit', 'submit', 'cancel');
  if (own && ['submitted', 'triage', 'offered'].includes(c.status)) a.push('cancel');
  if (own && c.status === 'info_requested') a.push('provide_info');
  return a;
}
const view = (c, user) => ({ ...c, allowed_actions: allowed(c, user) });
function log(c, action, from, to, actor, note = null) {
  timeline.get(c.id).push({ id: randomUUID(), action, from_status: from, to_status: to, actor: actor && { id: actor.id, name: actor.name }, note, at: now() });
}

async function body(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString();
  return text ? JSON.parse(text) : {};
}

async function api(req, res, url) {
  const sid = /sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  const session = sid ? sessions.get(sid) : null;
  const user = session ? users.find((u) => u.id === session.userId) : null;
  const path = url.pathname;
  let data = {};
  try {
    if (req.method !== 'GET') data = await body(req);
  } catch {
    return fail(res, 400, 'malformed_json', 'The request body is not valid JSON.');
  }
  if (req.method === 'POST' && path === '/api/auth/login') {
    const found = users.find((u) => u.email === data.email && u.password === data.password);
    if (!found) return fail(res, 401, 'invalid_credentials', 'Wrong email or password.');
    const newSid = randomUUID();
    const csrf = randomUUID();
    sessions.set(newSid, { userId: found.id, csrf });
    return send(res, 200, { user: publicUser(found), csrf_token: csrf }, { 'Set-Cookie': `sid=${newSid}; HttpOnly; Path=/; SameSite=Lax` });
  }
  if (req.method === 'POST' && path === '/api/auth/register') {
    if (users.some((u) => u.email === data.email)) return fail(res, 409, 'email_taken', 'An account with this e-mail exists.');
    const created = { id: randomUUID(), email: data.email, name: data.name, roles: ['patient'], organization: null, password: data.password };
    users.push(created);
    const newSid = randomUUID();
    const csrf = randomUUID();
    sessions.set(newSid, { userId: created.id, csrf });
    return send(res, 201, { user: publicUser(created), csrf_token: csrf }, { 'Set-Cookie': `sid=${newSid}; HttpOnly; Path=/; SameSite=Lax` });
  }
  if (!user) return fail(res, 401, 'unauthorized', 'Please sign in.');
  if (req.method !== 'GET' && req.headers['x-csrf-token'] !== session.csrf) return fail(res, 403, 'csrf_failed', 'The page is out of date. Reload and try again.');
  if (path === '/api/auth/me') return send(res, 200, { user: publicUser(user), csrf_token: session.csrf });
  if (path === '/api/auth/logout') {
    sessions.delete(sid);
    res.writeHead(204, { 'Set-Cookie': 'sid=; Max-Age=0; Path=/' });
    return res.end();
  }
  if (path === '/api/cases' && req.method === 'GET') {
    const status = url.searchParams.get('status');
    const q = (url.searchParams.get('q') ?? '').toLowerCase();
    const page = Number(url.searchParams.get('page') ?? 1);
    const perPage = Number(url.searchParams.get('per_page') ?? 20);
    const mine = cases
      .filter((c) => c.created_by.id === user.id)
      .filter((c) => !status || c.status === status)
      .filter((c) => !q || `${c.title} ${c.question}`.toLowerCase().includes(q))
      .sort((a, b) => b.updated_at.localeCompare(a.updated_at));
    return send(res, 200, { items: mine.slice((page - 1) * perPage, page * perPage).map((c) => view(c, user)), total: mine.length, page, per_page: perPage });
  }
  if (path === '/api/cases' && req.method === 'POST') {
    if (!data.title || !data.question) return fail(res, 422, 'validation_failed', 'Title and question are required.');
    const c = {
      id: randomUUID(), title: data.title, question: data.question, history: data.history ?? null,
      priority: data.priority ?? 'routine', status: 'draft', due_at: null, created_at: now(), updated_at: now(),
      submitted_at: null, requested_specialty: data.requested_specialty ?? null, patient_name: data.patient_name ?? user.name,
      created_by: { id: user.id, name: user.name },
    };
    cases.push(c);
    messages.set(c.id, []);
    timeline.set(c.id, []);
    log(c, 'create', null, 'draft', user);
    return send(res, 201, view(c, user));
  }
  const m = /^\/api\/cases\/([^/]+)(?:\/([a-z-]+))?$/.exec(path);
  const c = m && cases.find((x) => x.id === m[1] && x.created_by.id === user.id);
  if (!c) return fail(res, 404, 'not_found', 'Case not found.');
  const sub = m[2];
  if (!sub && req.method === 'GET') return send(res, 200, view(c, user));
  if (!sub && req.method === 'PATCH') {
    if (c.status !== 'draft') return fail(res, 409, 'invalid_state', 'Only drafts can be edited.');
    Object.assign(c, data, { updated_at: now() });
    return send(res, 200, view(c, user));
  }
  if (sub === 'messages' && req.method === 'GET') return send(res, 200, { items: messages.get(c.id) });
  if (sub === 'messages') {
    const msg = { id: randomUUID(), author: { id: user.id, name: user.name }, body: data.body, created_at: now() };
    messages.get(c.id).push(msg);
    return send(res, 201, msg);
  }
  if (sub === 'timeline') return send(res, 200, { items: timeline.get(c.id) });
  if (sub === 'participants') return send(res, 200, { items: [{ user: { id: user.id, name: user.name, email: user.email }, role: 'owner', added_at: c.created_at }] });
  if (sub === 'invitations') return send(res, 201, { id: randomUUID(), email: data.email, role: data.role, expires_at: now() });
  const action = sub?.replace(/-/g, '_');
  if (!allowed(c, user).includes(action)) return fail(res, 409, 'invalid_transition', `You cannot ${action} this case now.`);
  const from = c.status;
  if (action === 'submit') {
    c.status = 'triage';
    c.submitted_at = now();
    const hours = { stat: 4, urgent: 24, routine: 120 }[c.priority];
    c.due_at = new Date(Date.now() + hours * 3600e3).toISOString();
  }
  if (action === 'cancel') c.status = 'cancelled';
  if (action === 'provide_info') c.status = 'in_review';
  c.updated_at = now();
  log(c, action, from, c.status, user, data.reason ?? data.message ?? null);
  return send(res, 200, view(c, user));
}

createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  if (url.pathname.startsWith('/api/')) {
    api(req, res, url).catch((e) => fail(res, 500, 'internal', String(e)));
    return;
  }
  const file = normalize(join(dist, url.pathname));
  const target = file.startsWith(dist) && existsSync(file) && statSync(file).isFile() ? file : join(dist, 'index.html');
  res.writeHead(200, { 'Content-Type': TYPES[extname(target)] ?? 'application/octet-stream' });
  res.end(readFileSync(target));
}).listen(port, '127.0.0.1', () => console.log(`mock API on http://127.0.0.1:${port}`));
