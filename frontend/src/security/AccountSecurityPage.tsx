import { useState } from 'react';
import { MfaSection } from './MfaSection';
import { PasswordSection } from './PasswordSection';
import { SessionsSection } from './SessionsSection';
import './security.css';

/** /account/security: two-step verification, password, and where one is signed in. */
export function AccountSecurityPage() {
  // A password change ends the other sessions: reload the list.
  const [generation, setGeneration] = useState(0);
  return (
    <section className="page narrow">
      <h1>Account security</h1>
      <MfaSection />
      <PasswordSection onChanged={() => setGeneration((g) => g + 1)} />
      <SessionsSection key={generation} />
    </section>
  );
}
