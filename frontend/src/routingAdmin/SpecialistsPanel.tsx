import { Link, useParams } from 'react-router-dom';
import { listUsers } from '../api/admin';
import { ApiError } from '../api/client';
import { getSpecialist, listSpecialists, type SpecialistProfile } from '../api/routing';
import { useAsync } from '../cases/useAsync';
import { ErrorAlert, Loading } from '../ui/components';
import { SpecialistProfileForm } from './SpecialistProfileForm';
import { WEEKDAYS } from './profileForm';

function hoursSummary(p: SpecialistProfile): string {
  const days = WEEKDAYS.filter((d) => (p.working_hours[d] ?? []).length > 0);
  if (Object.keys(p.working_hours).length === 0) return 'Always';
  return days.length ? days.join(', ') : 'No working days';
}

/** /admin/specialists: every specialist's profile and load; specialists without a profile can get one. */
export function SpecialistsPanel() {
  const profiles = useAsync(() => listSpecialists(), []);
  const users = useAsync(() => listUsers({ role: 'specialist', per_page: 100 }), []);
  const withProfile = new Set((profiles.data?.items ?? []).map((p) => p.user.id));
  const missing = (users.data?.items ?? []).filter((u) => !withProfile.has(u.id));

  return (
    <>
      <ErrorAlert message={profiles.error} />
      {profiles.loading && !profiles.data && <Loading />}
      {profiles.data && profiles.data.items.length === 0 && <p className="empty">No specialist profiles yet.</p>}
      {profiles.data && profiles.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="case-table">
            <caption className="visually-hidden">Specialist profiles</caption>
            <thead>
              <tr>
                <th scope="col">Specialist</th>
                <th scope="col">Specialties</th>
                <th scope="col">Modalities</th>
                <th scope="col">Regions</th>
                <th scope="col">Languages</th>
                <th scope="col">Load</th>
                <th scope="col">Working days</th>
                <th scope="col">Now</th>
              </tr>
            </thead>
            <tbody>
              {profiles.data.items.map((p) => (
                <tr key={p.id}>
                  <td data-label="Specialist">
                    <Link to={`/admin/specialists/${encodeURIComponent(p.user.id)}`}>{p.user.name}</Link>
                    <span className="muted small block">{p.time_zone}</span>
                  </td>
                  <td data-label="Specialties">
                    {p.specialties.join(', ') || '—'}
                    {p.subspecialties.length > 0 && <span className="muted small block">{p.subspecialties.join(', ')}</span>}
                  </td>
                  <td data-label="Modalities">{p.modalities.join(', ') || '—'}</td>
                  <td data-label="Regions">{p.licensed_regions.join(', ') || '—'}</td>
                  <td data-label="Languages">{p.languages.join(', ') || '—'}</td>
                  <td data-label="Load">
                    {p.load} / {p.capacity}
                  </td>
                  <td data-label="Working days">{hoursSummary(p)}</td>
                  <td data-label="Now">
                    {!p.accepting ? (
                      <span className="badge badge-muted">Not accepting</span>
                    ) : p.available_now ? (
                      <span className="badge badge-success">Available</span>
                    ) : (
                      <span className="badge badge-neutral">Away</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {missing.length > 0 && (
        <section className="card">
          <h2>Specialists without a profile</h2>
          <p className="muted">They are not offered cases until they have a profile.</p>
          <ul>
            {missing.map((u) => (
              <li key={u.id}>
                {u.name} <span className="muted small">{u.email}</span> ·{' '}
                <Link to={`/admin/specialists/${encodeURIComponent(u.id)}`}>Create profile</Link>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function emptyProfile(userId: string, name: string): SpecialistProfile {
  return {
    id: '',
    user: { id: userId, name },
    specialties: [],
    subspecialties: [],
    modalities: [],
    licensed_regions: [],
    languages: [],
    capacity: 10,
    time_zone: 'UTC',
    working_hours: {},
    absences: [],
    accepting: true,
    load: 0,
    available_now: true,
    updated_at: '',
  };
}

/** Loads a profile; a 404 becomes `null` (no profile yet). */
export async function loadProfile(userId: string): Promise<SpecialistProfile | null> {
  try {
    return await getSpecialist(userId);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** /admin/specialists/:userId: an administrator edits (or creates) one profile. */
export function SpecialistEditPanel() {
  const { userId = '' } = useParams();
  const profile = useAsync(() => loadProfile(userId), [userId]);
  const users = useAsync(() => listUsers({ role: 'specialist', per_page: 100 }), []);
  const name = profile.data?.user.name ?? users.data?.items.find((u) => u.id === userId)?.name ?? 'Specialist';

  return (
    <>
      <p>
        <Link to="/admin/specialists">← All specialists</Link>
      </p>
      <h2>{name}</h2>
      <ErrorAlert message={profile.error} />
      {profile.loading && profile.data === null && !profile.error && <Loading />}
      {!profile.loading && !profile.error && profile.data === null && (
        <p className="muted">No profile yet: saving creates one.</p>
      )}
      {!profile.loading && !profile.error && (
        <SpecialistProfileForm
          key={userId + (profile.data?.updated_at ?? '')}
          userId={userId}
          profile={profile.data ?? emptyProfile(userId, name)}
          selfOnly={false}
        />
      )}
    </>
  );
}
