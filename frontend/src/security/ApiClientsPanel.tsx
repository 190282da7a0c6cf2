import { useState, type FormEvent } from 'react';
import { listOrganizations } from '../api/admin';
import { errorMessage } from '../api/client';
import {
  createOAuthClient,
  deleteOAuthClient,
  listOAuthClients,
  SCOPES,
  type OAuthClientCreated,
  type Scope,
} from '../api/identity';
import { useAsync } from '../cases/useAsync';
import { ErrorAlert, Field, Loading } from '../ui/components';
import './security.css';

const SCOPE_HELP: Record<Scope, string> = {
  'cases:read': 'read the organization’s cases',
  'cases:write': 'open and update cases',
  'dicomweb:read': 'read images (QIDO-RS, WADO-RS)',
  'dicomweb:write': 'send images (STOW-RS, uploads)',
  'reports:read': 'read reports (PDF, SR, FHIR)',
};

/** /admin/api-clients: OAuth2 client-credentials integrations (EHR, PACS gateways). */
export function ApiClientsPanel() {
  const clients = useAsync(() => listOAuthClients(), []);
  const orgs = useAsync(() => listOrganizations(), []);
  const [name, setName] = useState('');
  const [organizationId, setOrganizationId] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['cases:read', 'dicomweb:read']);
  const [created, setCreated] = useState<OAuthClientCreated | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const orgName = (id: string) => orgs.data?.items.find((o) => o.id === id)?.name ?? id;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim() || !organizationId || !scopes.length) {
      setError('Name the client, pick its organization and at least one scope.');
      return;
    }
    setError(null);
    setBusy(true);
    try {
      setCreated(await createOAuthClient({ name: name.trim(), organization_id: organizationId, scopes }));
      setName('');
      clients.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(id: string, label: string) {
    if (!window.confirm(`Revoke ${label}? Its tokens stop working at once.`)) return;
    setError(null);
    try {
      await deleteOAuthClient(id);
      if (created?.id === id) setCreated(null);
      clients.reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <>
      <p className="muted">
        Integrations (a hospital’s EHR or PACS gateway) get tokens with the OAuth2 client-credentials grant and act
        for their organization only, within the scopes given here.
      </p>
      {created && (
        <div className="secret-once" role="region" aria-label="New client credentials">
          <h3>Credentials for {created.name}</h3>
          <p>Copy the secret now: it is shown only once.</p>
          <dl>
            <dt>Client ID</dt>
            <dd data-testid="client-id">{created.client_id}</dd>
            <dt>Client secret</dt>
            <dd data-testid="client-secret">{created.client_secret}</dd>
            <dt>Token endpoint</dt>
            <dd>{created.token_endpoint}</dd>
            <dt>Scopes</dt>
            <dd>{created.scopes.join(' ')}</dd>
          </dl>
          <button type="button" className="button secondary" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      <form className="card form" onSubmit={submit} noValidate>
        <h2>Register an integration</h2>
        <ErrorAlert message={error} />
        <div className="grid-2">
          <Field label="Client name">
            {(p) => <input {...p} value={name} placeholder="e.g. St. Mary PACS gateway" onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label="Organization">
            {(p) => (
              <select {...p} value={organizationId} onChange={(e) => setOrganizationId(e.target.value)}>
                <option value="">Choose…</option>
                {(orgs.data?.items ?? []).map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <fieldset className="field">
          <legend>Scopes</legend>
          <div className="checkbox-row">
            {SCOPES.map((s) => (
              <label key={s} className="radio" title={SCOPE_HELP[s]}>
                <input
                  type="checkbox"
                  checked={scopes.includes(s)}
                  onChange={(e) => setScopes((prev) => (e.target.checked ? [...prev, s] : prev.filter((x) => x !== s)))}
                />
                <span>
                  <code>{s}</code> <span className="muted small">{SCOPE_HELP[s]}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Registering…' : 'Register client'}
        </button>
      </form>
      <ErrorAlert message={clients.error} />
      {clients.loading && !clients.data && <Loading />}
      {clients.data && (
        <div className="table-wrap">
          <table className="case-table">
            <caption className="visually-hidden">Integration clients</caption>
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Organization</th>
                <th scope="col">Scopes</th>
                <th scope="col">Registered</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {clients.data.items.length === 0 && (
                <tr>
                  <td colSpan={5} className="empty muted">No integrations yet.</td>
                </tr>
              )}
              {clients.data.items.map((c) => (
                <tr key={c.id}>
                  <td data-label="Client">
                    <strong>{c.name}</strong>
                    <span className="muted small block">{c.client_id}</span>
                  </td>
                  <td data-label="Organization">{orgName(c.organization_id)}</td>
                  <td data-label="Scopes">{c.scopes.join(', ')}</td>
                  <td data-label="Registered">{new Date(c.created_at).toLocaleDateString()}</td>
                  <td>
                    <button type="button" className="button danger" onClick={() => revoke(c.id, c.name)} aria-label={`Revoke ${c.name}`}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
