import { useState, type ReactNode } from 'react';
import { Link, NavLink, useNavigate } from 'react-router-dom';
import { useSession } from '../auth/useSession';
import { hasRole, sessionStore } from '../auth/session';
import { MfaBanner } from '../security/MfaBanner';
import { useUnreadCount } from '../notifications/unread';

const ROLE_LABELS: Record<string, string> = {
  patient: 'Patient',
  referrer: 'Referring doctor',
  specialist: 'Specialist',
  coordinator: 'Coordinator',
  admin: 'Administrator',
};

export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  const navigate = useNavigate();
  const [menuOpen, setMenuOpen] = useState(false);
  const user = session.status === 'authenticated' ? session.user : null;
  const unread = useUnreadCount(!!user);

  async function signOut() {
    setMenuOpen(false);
    try {
      await sessionStore.logout();
    } finally {
      navigate('/signin', { replace: true });
    }
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Telehealth second opinion, home">
          <span className="brand-mark" aria-hidden="true">
            +
          </span>
          <span className="brand-name">Second Opinion</span>
        </Link>
        {user && (
          <>
            <button
              type="button"
              className="menu-toggle"
              aria-expanded={menuOpen}
              aria-controls="main-nav"
              onClick={() => setMenuOpen((open) => !open)}
            >
              Menu
            </button>
            <nav id="main-nav" className={`nav${menuOpen ? ' open' : ''}`} aria-label="Main">
              {hasRole(user, 'specialist', 'coordinator', 'admin') && (
                <NavLink to="/worklist" onClick={() => setMenuOpen(false)}>
                  Worklist
                </NavLink>
              )}
              <NavLink to="/cases" end onClick={() => setMenuOpen(false)}>
                Cases
              </NavLink>
              {hasRole(user, 'patient', 'referrer') && (
                <NavLink to="/cases/new" onClick={() => setMenuOpen(false)}>
                  New consult
                </NavLink>
              )}
              {hasRole(user, 'admin') && (
                <NavLink to="/admin" onClick={() => setMenuOpen(false)}>
                  Administration
                </NavLink>
              )}
              <NavLink to="/notifications" onClick={() => setMenuOpen(false)} aria-label={`Notifications, ${unread} unread`}>
                Notifications{unread > 0 && <span className="nav-badge">{unread > 99 ? '99+' : unread}</span>}
              </NavLink>
              <NavLink to="/account/security" onClick={() => setMenuOpen(false)}>
                Security
              </NavLink>
              <NavLink to="/account/notifications" onClick={() => setMenuOpen(false)}>
                Settings
              </NavLink>
              <span className="nav-user" title={user.email}>
                {user.name}
                <small>{user.roles.map((r) => ROLE_LABELS[r] ?? r).join(', ')}</small>
              </span>
              <button type="button" className="link-button" onClick={signOut}>
                Sign out
              </button>
            </nav>
          </>
        )}
      </header>
      <MfaBanner />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
