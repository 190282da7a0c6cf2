import { useEffect, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { getMfaStatus, type MfaStatus } from '../api/identity';
import { useSession } from '../auth/useSession';
import './security.css';

/** A strip under the top bar while policy asks the signed-in user to set up two-step verification. */
export function MfaBanner() {
  const session = useSession();
  const location = useLocation();
  const [status, setStatus] = useState<MfaStatus | null>(null);
  const userId = session.status === 'authenticated' ? session.user.id : null;

  useEffect(() => {
    setStatus(null);
    if (!userId) return;
    let live = true;
    getMfaStatus()
      .then((s) => live && setStatus(s))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [userId, location.pathname]);

  if (!status?.enrolment_required || location.pathname === '/account/security') return null;
  return (
    <div className={`mfa-banner${status.blocked ? ' blocked' : ''}`} role="status">
      {status.blocked
        ? 'Your role requires two-step verification before you can continue. '
        : `Your role requires two-step verification${
            status.grace_until ? ` from ${new Date(status.grace_until).toLocaleDateString()}` : ''
          }. `}
      <Link to="/account/security">Set it up now</Link>
    </div>
  );
}
