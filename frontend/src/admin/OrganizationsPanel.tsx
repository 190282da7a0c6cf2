import { useState, type FormEvent } from 'react';
import { createOrganization, listOrganizations } from '../api/admin';
import { errorMessage } from '../api/client';
import { useAsync } from '../cases/useAsync';
import { ErrorAlert, Field, Loading } from '../ui/components';

export function OrganizationsPanel() {
  const orgs = useAsync(() => listOrganizations(), []);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'referring' | 'network'>('referring');
  const [networkId, setNetworkId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const items = orgs.data?.items ?? [];

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!name.trim()) {
      setError('Enter the organization’s name.');
      return;
    }
    setBusy(true);
    try {
      await createOrganization({ name: name.trim(), kind, network_id: kind === 'referring' && networkId ? networkId : undefined });
      setName('');
      orgs.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="case-grid">
      <div>
        <ErrorAlert message={orgs.error} />
        {orgs.loading && !orgs.data && <Loading />}
        <div className="table-wrap">
          <table className="case-table">
            <caption className="visually-hidden">Organizations</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
              </tr>
            </thead>
            <tbody>
              {items.map((o) => (
                <tr key={o.id}>
                  <td data-label="Name">{o.name}</td>
                  <td data-label="Kind">{o.kind === 'network' ? 'Specialist network' : 'Referring organization'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <form className="card form" onSubmit={onSubmit} noValidate>
        <h2>Add an organization</h2>
        <ErrorAlert message={error} />
        <Field label="Organization name">{(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
        <Field label="Kind">
          {(p) => (
            <select {...p} value={kind} onChange={(e) => setKind(e.target.value as 'referring' | 'network')}>
              <option value="referring">Referring organization (clinic, hospital)</option>
              <option value="network">Specialist network</option>
            </select>
          )}
        </Field>
        {kind === 'referring' && (
          <Field label="Routes to network">
            {(p) => (
              <select {...p} value={networkId} onChange={(e) => setNetworkId(e.target.value)}>
                <option value="">Default</option>
                {items
                  .filter((o) => o.kind === 'network')
                  .map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.name}
                    </option>
                  ))}
              </select>
            )}
          </Field>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add organization'}
        </button>
      </form>
    </div>
  );
}
