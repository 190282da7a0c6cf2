import { useState, type FormEvent } from 'react';
import { listOrganizations } from '../api/admin';
import { errorMessage } from '../api/client';
import { createOidcProvider, deleteOidcProvider, listOidcProviders } from '../api/identity';
import { useAsync } from '../cases/useAsync';
import { ErrorAlert, Field, Loading, Notice } from '../ui/components';
import { describeRoleMapping, MAPPABLE_ROLES, parseRoleMapping } from './roleMapping';
import './security.css';

const slugify = (text: string) =>
  text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50);

/** /admin/sso: organizations' OpenID Connect providers ("Sign in with …" on the sign-in page). */
export function SsoProvidersPanel() {
  const providers = useAsync(() => listOidcProviders(), []);
  const orgs = useAsync(() => listOrganizations(), []);
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [organizationId, setOrganizationId] = useState('');
  const [issuer, setIssuer] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [scopes, setScopes] = useState('openid email profile');
  const [claim, setClaim] = useState('groups');
  const [rules, setRules] = useState('');
  const [defaults, setDefaults] = useState<string[]>(['referrer']);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const orgName = (id: string) => orgs.data?.items.find((o) => o.id === id)?.name ?? id;
  const callbackBase = `${window.location.origin}/auth/oidc/${slug || slugify(name) || '<slug>'}/callback`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const parsed = parseRoleMapping({ claim, lines: rules, defaults });
    if (parsed.error) {
      setError(parsed.error);
      return;
    }
    const finalSlug = slug || slugify(name);
    if (!name.trim() || !finalSlug || !organizationId || !issuer.trim() || !clientId.trim() || !clientSecret) {
      setError('Fill in the name, organization, issuer, client ID and client secret.');
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const p = await createOidcProvider({
        slug: finalSlug,
        name: name.trim(),
        organization_id: organizationId,
        issuer: issuer.trim(),
        client_id: clientId.trim(),
        client_secret: clientSecret,
        scopes: scopes.trim() || 'openid email profile',
        role_mapping: parsed.mapping,
      });
      setDone(`${p.name} was added. Its button now shows on the sign-in page.`);
      setName('');
      setSlug('');
      setClientSecret('');
      providers.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function remove(id: string, label: string) {
    if (!window.confirm(`Remove ${label}? Its users keep their accounts but cannot sign in through it.`)) return;
    try {
      await deleteOidcProvider(id);
      providers.reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <>
      <p className="muted">
        Clinicians of an organization can sign in through its identity provider (OpenID Connect, authorization code
        with PKCE). People are linked by their verified e-mail, or created with roles mapped from a claim.
      </p>
      <form className="card form" onSubmit={submit} noValidate>
        <h2>Add an identity provider</h2>
        <ErrorAlert message={error} />
        {done && <Notice>{done}</Notice>}
        <div className="grid-2">
          <Field label="Button name" hint="Shown as “Sign in with …”">
            {(p) => <input {...p} value={name} placeholder="St. Mary Hospital" onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label="Short name (slug)" hint="Lowercase letters, digits and dashes; part of the callback URL">
            {(p) => (
              <input {...p} value={slug} placeholder={slugify(name) || 'st-mary'}
                onChange={(e) => setSlug(e.target.value.toLowerCase())} />
            )}
          </Field>
        </div>
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
        <Field label="Issuer URL" hint="Discovery is read from <issuer>/.well-known/openid-configuration">
          {(p) => <input {...p} inputMode="url" value={issuer} placeholder="https://login.example.org" onChange={(e) => setIssuer(e.target.value)} />}
        </Field>
        <p className="field-hint">
          Register this redirect URI at the provider: <code>{callbackBase}</code>
        </p>
        <div className="grid-2">
          <Field label="Client ID">
            {(p) => <input {...p} value={clientId} autoComplete="off" onChange={(e) => setClientId(e.target.value)} />}
          </Field>
          <Field label="Client secret">
            {(p) => <input {...p} type="password" value={clientSecret} autoComplete="new-password" onChange={(e) => setClientSecret(e.target.value)} />}
          </Field>
        </div>
        <Field label="Scopes">
          {(p) => <input {...p} value={scopes} onChange={(e) => setScopes(e.target.value)} />}
        </Field>
        <div className="grid-2">
          <Field label="Claim with groups or roles">
            {(p) => <input {...p} value={claim} onChange={(e) => setClaim(e.target.value)} />}
          </Field>
          <Field label="Role rules" hint="One per line: value = role, role">
            {(p) => (
              <textarea {...p} rows={3} value={rules} placeholder={'radiology = specialist\ngp = referrer'}
                onChange={(e) => setRules(e.target.value)} />
            )}
          </Field>
        </div>
        <fieldset className="field">
          <legend>Roles when no rule matches</legend>
          <div className="checkbox-row">
            {MAPPABLE_ROLES.map((r) => (
              <label key={r} className="radio">
                <input type="checkbox" checked={defaults.includes(r)}
                  onChange={(e) => setDefaults((prev) => (e.target.checked ? [...prev, r] : prev.filter((x) => x !== r)))} />
                <span>{r}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Checking…' : 'Add provider'}
        </button>
      </form>
      <ErrorAlert message={providers.error} />
      {providers.loading && !providers.data && <Loading />}
      {providers.data && (
        <div className="table-wrap">
          <table className="case-table">
            <caption className="visually-hidden">Identity providers</caption>
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Organization</th>
                <th scope="col">Roles</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {providers.data.items.length === 0 && (
                <tr>
                  <td colSpan={4} className="empty muted">No identity providers yet.</td>
                </tr>
              )}
              {providers.data.items.map((p) => (
                <tr key={p.id}>
                  <td data-label="Provider">
                    <strong>{p.name}</strong> {!p.enabled && <span className="badge badge-muted">disabled</span>}
                    <span className="muted small block">{p.issuer} · {p.slug}</span>
                  </td>
                  <td data-label="Organization">{orgName(p.organization_id)}</td>
                  <td data-label="Roles" className="small">{describeRoleMapping(p.role_mapping)}</td>
                  <td>
                    <button type="button" className="button danger" onClick={() => remove(p.id, p.name)} aria-label={`Remove ${p.name}`}>
                      Remove
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
