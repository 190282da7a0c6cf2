import { Navigate, useLocation } from 'react-router-dom';

/** /login (where the server sends single sign-on failures, `?sso_error=`) is the sign-in page. */
export function LoginRedirect() {
  const location = useLocation();
  return <Navigate to={`/signin${location.search}`} replace />;
}
