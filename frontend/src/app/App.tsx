import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import type { ReactNode } from 'react';
import { useSession } from '../auth/useSession';
import { homePath } from '../auth/session';
import { Layout } from './Layout';
import { ErrorAlert, Loading } from '../ui/components';
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
import { useEffect, useState, type ComponentType } from 'react';
import { errorMessage } from '../api/client';
import { parseViewerLink, startViewerRequests } from '../viewer/early';

// The viewer pulls in Cornerstone3D; load it only when someone opens images.
type ViewerPageComponent = ComponentType;
let viewerPage: ViewerPageComponent | null = null;
let viewerPageLoad: Promise<ViewerPageComponent> | null = null;
function loadViewerPage(): Promise<ViewerPageComponent> {
  if (!viewerPageLoad) {
    viewerPageLoad = import('../viewer/ViewerPage').then((m) => (viewerPage = m.ViewerPage));
    viewerPageLoad.catch(() => (viewerPageLoad = null)); // a later visit tries again
  }
  return viewerPageLoad;
}
// Opened straight from a link, the viewer's code (several MB), Cornerstone's start-up and the series'
// metadata begin at once, alongside the session check, instead of after it (bench/bench_viewer.py).
const viewerLink = typeof window === 'undefined' ? null : parseViewerLink(window.location.pathname, window.location.search);
if (viewerLink) {
  startViewerRequests(viewerLink);
  void loadViewerPage().catch(() => undefined);
  void import('../viewer/engine').then((m) => m.initCornerstone()).catch(() => undefined);
}

/**
 * The viewer page once its chunk is loaded. Not React.lazy + Suspense: React holds back a suspended
 * boundary's content for up to 300 ms after its fallback appeared (its reveal throttle), and the viewer's
 * effects (metadata, Cornerstone viewports) wait for that commit; a plain state update commits at once.
 */
function ViewerRoute() {
  const [Page, setPage] = useState<ViewerPageComponent | null>(() => viewerPage);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (Page) return;
    let active = true;
    loadViewerPage().then(
      (loaded) => active && setPage(() => loaded),
      (cause: unknown) => active && setError(`The viewer could not be loaded: ${errorMessage(cause)}`),
    );
    return () => {
      active = false;
    };
  }, [Page]);
  if (Page) return <Page />;
  return error ? <ErrorAlert message={error} /> : <Loading label="Opening the viewer…" />;
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
                <ViewerRoute />
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
