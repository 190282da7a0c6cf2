import { useState, type FormEvent } from 'react';
import { createUser, listOrganizations, listUsers, updateUser } from '../api/admin';
import { errorMessage } from '../api/client';
import type { AdminUser, Role } from '../api/types';
import { useAsync } from '../cases/useAsync';
import { ErrorAlert, Field, Loading, Notice } from '../ui/components';

const ROLES: Role[] = ['patient', 'referrer', 'specialist', 'coordinator', 'admin'];

export function UsersPanel() {
  const [role, setRole] = useState<Role | ''>('');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const users = useAsync(() => listUsers({ role, q: query || undefined, per_page: 100 }), [role, query]);
  const [rowError, setRowError] = useState<string | null>(null);

  async function toggleActive(user: AdminUser) {
    setRowError(null);
    try {
      const updated = await updateUser(user.id, { is_active: !user.is_active });
      users.setData({
        total: users.data?.total ?? 0,
        items: (users.data?.items ?? []).map((u) => (u.id === updated.id ? updated : u)),
      });
    } catch (err) {
      setRowError(errorMessage(err));
    }
  }

  return (
    <>
      <NewUserForm onCreated={users.reload} />
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(q.trim());
        }}
      >
        <div className="field inline">
          <label htmlFor="user-role">Role</label>
          <select id="user-role" value={role} onChange={(e) => setRole(e.target.value as Role | '')}>
            <option value="">All roles</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline grow">
          <label htmlFor="user-search">Search users</label>
          <input id="user-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name or e-mail" />
        </div>
        <button className="button secondary" type="submit">
          Search
        </button>
      </form>
      <ErrorAlert message={users.error ?? rowError} />
      {users.loading && !users.data && <Loading />}
      {users.data && (
        <div className="table-wrap">
          <table className="case-table">
            <caption className="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Roles</th>
                <th scope="col">Organization</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((u) => (
                <tr key={u.id}>
                  <td data-label="Name">
                    <strong>{u.name}</strong>
                    <span className="muted small block">{u.email}</span>
                  </td>
                  <td data-label="Roles">{u.roles.join(', ')}</td>
                  <td data-label="Organization">{u.organization?.name ?? '—'}</td>
                  <td data-label="Status">
                    <button type="button" className="link-button" onClick={() => toggleActive(u)} aria-label={`${u.is_active ? 'Deactivate' : 'Activate'} ${u.name}`}>
                      {u.is_active ? 'Active · deactivate' : 'Inactive · activate'}
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

function NewUserForm({ onCreated }: { onCreated: () => void }) {
  const orgs = useAsync(() => listOrganizations(), []);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [roles, setRoles] = useState<Role[]>(['specialist']);
  const [organizationId, setOrganizationId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setDone(null);
    if (!name.trim() || !email.trim() || roles.length === 0) {
      setError('Name, e-mail and at least one role are required.');
      return;
    }
    setBusy(true);
    try {
      const answer = await createUser({
        name: name.trim(),
        email: email.trim(),
        roles,
        organization_id: organizationId || undefined,
      });
      setDone(
        answer.invitation_url
          ? `Invitation e-mailed to ${email.trim()}. Link: ${answer.invitation_url}`
          : `Account created for ${email.trim()}.`,
      );
      setName('');
      setEmail('');
      onCreated();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <div className="actions">
        <button type="button" className="button primary" onClick={() => setOpen(true)}>
          Invite a user
        </button>
        {done && <Notice>{done}</Notice>}
      </div>
    );
  }
  return (
    <form className="card form" onSubmit={onSubmit} noValidate>
      <h2>Invite a clinician or staff member</h2>
      <ErrorAlert message={error} />
      {done && <Notice>{done}</Notice>}
      <div className="grid-2">
        <Field label="Name">{(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
        <Field label="E-mail">{(p) => <input {...p} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}</Field>
      </div>
      <fieldset className="field">
        <legend>Roles</legend>
        <div className="checkbox-row">
          {ROLES.filter((r) => r !== 'patient').map((r) => (
            <label key={r} className="radio">
              <input
                type="checkbox"
                checked={roles.includes(r)}
                onChange={(e) => setRoles((prev) => (e.target.checked ? [...prev, r] : prev.filter((x) => x !== r)))}
              />
              <span>{r}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <Field label="Organization">
        {(p) => (
          <select {...p} value={organizationId} onChange={(e) => setOrganizationId(e.target.value)}>
            <option value="">None</option>
            {(orgs.data?.items ?? []).map((o) => (
              <option key={o.id} value={o.id}>
                {o.name} ({o.kind})
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="form-actions">
        <button type="button" className="button ghost" onClick={() => setOpen(false)}>
          Close
        </button>
        <span className="spacer" />
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Sending…' : 'Send invitation'}
        </button>
      </div>
    </form>
  );
}
