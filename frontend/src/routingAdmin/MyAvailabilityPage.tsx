import { useSession } from '../auth/useSession';
import { useAsync } from '../cases/useAsync';
import { ErrorAlert, Loading } from '../ui/components';
import { SpecialistProfileForm } from './SpecialistProfileForm';
import { loadProfile } from './SpecialistsPanel';

/** /account/availability: a specialist sets their own working hours, absences and languages. */
export function MyAvailabilityPage() {
  const session = useSession();
  const userId = session.status === 'authenticated' ? session.user.id : '';
  const profile = useAsync(() => (userId ? loadProfile(userId) : Promise.resolve(null)), [userId]);

  return (
    <section className="page">
      <h1>My availability</h1>
      <p className="muted">Cases are only offered to you while you are working and not absent. Specialties, licences and capacity are set by an administrator.</p>
      <ErrorAlert message={profile.error} />
      {profile.loading && <Loading />}
      {!profile.loading && !profile.error && profile.data === null && (
        <p className="empty">You have no specialist profile yet. Please ask an administrator to create one.</p>
      )}
      {!profile.loading && profile.data && (
        <SpecialistProfileForm userId={userId} profile={profile.data} selfOnly />
      )}
    </section>
  );
}
