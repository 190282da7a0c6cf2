import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import type { ReactNode } from 'react';
import { useSession } from '../auth/useSession';
import { homePath } from '../auth/session';
import { Layout } from './Layout';
import { Loading } from '../ui/components';
import { SignInPage } from '../signIn/SignInPage';
import { SignUpPage } from '../signUp/SignUpPage';
import { CaseListPage } from '../cases/CaseListPage';
import { NewCasePage } from '../newCase/NewCasePage';
import { CasePage } from '../casePage/CasePage';
import { NotFoundPage } from './NotFoundPage';
import { InvitationPage } from '../invitation/InvitationPage';
import { SharePage } from '../share/SharePage';
import { WorklistPage } from '../worklist/WorklistPage';
import { NotificationsPage } from '../notifications/NotificationsPage';
import { AdminPage } from '../admin/AdminPage';
import { AccountSecurityPage } from '../security/AccountSecurityPage';
import { NotificationPreferencesPage } from '../preferences/NotificationPreferencesPage';
import { MyAvailabilityPage } from '../routingAdmin/MyAvailabilityPage';
import { ForgotPasswordPage } from '../security/ForgotPasswordPage';
import { ResetPasswordPage } from '../security/ResetPasswordPage';
import { LoginRedirect } from '../security/LoginRedirect';
import { lazy, Suspense } from 'react';

// The viewer pulls in Cornerstone3D; load it only when someone opens images.
const loadViewerPage = () => import('../viewer/ViewerPage').then((m) => ({ default: m.ViewerPage }));
const ViewerPage = lazy(loadViewerPage);
// Opened straight from a link, the viewer's code (several MB) and Cornerstone's start-up begin at once,
// alongside the session check, instead of after it (bench/bench_viewer.py).
if (typeof window !== 'undefined' && /^\/cases\/[^/]+\/viewer/.test(window.location.pathname)) {
  void loadViewerPage().catch(() => undefined);
  void import('../viewer/engine').then((m) => m.initCornerstone()).catch(() => undefined);
}

/** Renders `children` for a signed-in user, otherwise sends them to sign in and back. */
function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.status === 'loading') return <Loading />;
  if (session.status === 'anonymous') {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/signin?next=${next}${session.expired ? '&expired=1' : ''}`} replace />;
  }
  return <>{children}</>;
}

function Home() {
  const session = useSession();
  if (session.status === 'loading') return <Loading />;
  if (session.status === 'anonymous') return <Navigate to="/signin" replace />;
  return <Navigate to={homePath(session.user)} replace />;
}

export function App() {
  return (
    <BrowserRouter>
      <Layout>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/signin" element={<SignInPage />} />
          <Route path="/signup" element={<SignUpPage />} />
          <Route path="/login" element={<LoginRedirect />} />
          <Route path="/forgot-password" element={<ForgotPasswordPage />} />
          <Route path="/reset-password" element={<ResetPasswordPage />} />
          <Route path="/account/security" element={<RequireAuth><AccountSecurityPage /></RequireAuth>} />
          <Route path="/account/notifications" element={<RequireAuth><NotificationPreferencesPage /></RequireAuth>} />
          <Route path="/account/availability" element={<RequireAuth><MyAvailabilityPage /></RequireAuth>} />
          <Route path="/notifications" element={<RequireAuth><NotificationsPage /></RequireAuth>} />
          <Route path="/worklist" element={<RequireAuth><WorklistPage /></RequireAuth>} />
          <Route path="/cases" element={<RequireAuth><CaseListPage /></RequireAuth>} />
          <Route path="/cases/new" element={<RequireAuth><NewCasePage /></RequireAuth>} />
          <Route path="/cases/:caseId/edit" element={<RequireAuth><NewCasePage /></RequireAuth>} />
          <Route
            path="/cases/:caseId/viewer"
            element={
              <RequireAuth>
                <Suspense fallback={<Loading label="Opening the viewer…" />}>
                  <ViewerPage />
                </Suspense>
              </RequireAuth>
            }
          />
          <Route path="/cases/:caseId" element={<RequireAuth><CasePage /></RequireAuth>} />
          <Route path="/invitations/:token" element={<InvitationPage />} />
          <Route path="/share/:token" element={<SharePage />} />
          <Route path="/admin/*" element={<RequireAuth><AdminPage /></RequireAuth>} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Layout>
    </BrowserRouter>
  );
}
