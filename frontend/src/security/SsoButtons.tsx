import { listSsoProviders, ssoLoginUrl } from '../api/identity';
import { useAsync } from '../cases/useAsync';
import './security.css';

/**
 * "Sign in with <provider>" links for the organizations' identity providers. Full-page links:
 * the server runs the authorization code flow and comes back signed in (or with `?sso_error=`).
 */
export function SsoButtons({ next }: { next: string | null }) {
  const providers = useAsync(() => listSsoProviders(), []);
  const items = providers.data?.items ?? [];
  if (!items.length) return null;
  return (
    <>
      <div className="sso-options" aria-label="Single sign-on">
        {items.map((p) => (
          <a key={p.slug} className="button sso block" href={ssoLoginUrl(p, next)}>
            Sign in with {p.name}
          </a>
        ))}
      </div>
      <p className="sso-divider">or with your e-mail and password</p>
    </>
  );
}
