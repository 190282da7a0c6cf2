import { useState } from 'react';
import type { Case } from '../api/types';
import { Notice } from '../ui/components';
import { RouteCase } from '../worklist/RouteCase';
import { routeMode } from '../worklist/routeCase';

/** Coordinator's routing on the case page: offer state, offer to a chosen specialist, reassign. */
export function RoutingSection({ c, onChanged }: { c: Case; onChanged: () => void }) {
  const [done, setDone] = useState<string | null>(null);
  if (!routeMode(c.status, c.allowed_actions)) return done ? <Notice>{done}</Notice> : null;
  return (
    <section className="card" aria-labelledby="routing-heading">
      <h2 id="routing-heading">Routing</h2>
      {done && <Notice>{done}</Notice>}
      <RouteCase
        caseId={c.id}
        title={c.title}
        status={c.status}
        allowed={c.allowed_actions}
        onDone={(message) => {
          setDone(message);
          onChanged();
        }}
      />
    </section>
  );
}
