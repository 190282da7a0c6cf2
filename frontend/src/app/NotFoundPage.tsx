import { Link } from 'react-router-dom';

export function NotFoundPage() {
  return (
    <section className="page narrow">
      <h1>Page not found</h1>
      <p>The page you asked for does not exist or you may not see it.</p>
      <p>
        <Link to="/">Go to your cases</Link>
      </p>
    </section>
  );
}
