import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { transition } from '../api/cases';
import { errorMessage } from '../api/client';
import type { Case } from '../api/types';
import { ErrorAlert, Field } from '../ui/components';
import { availableActions, transitionBody, validateActionInput, type ActionSpec } from './actions';

/** The lifecycle buttons this user may press now, with an inline form for those that need text. */
export function CaseActions({ c, onChanged }: { c: Case; onChanged: (updated: Case) => void }) {
  const actions = availableActions(c.allowed_actions);
  const [open, setOpen] = useState<ActionSpec | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const canEdit = c.allowed_actions.includes('edit');

  if (actions.length === 0 && !canEdit) return null;

  async function run(spec: ActionSpec) {
    const invalid = validateActionInput(spec, text);
    if (invalid) {
      setError(invalid);
      return;
    }
    if (spec.confirm && !window.confirm(spec.confirm)) return;
    setBusy(true);
    setError(null);
    try {
      const updated = await transition(c.id, spec.action, transitionBody(spec, text) as never);
      setOpen(null);
      setText('');
      onChanged(updated);
    } catch (err) {
      setError(errorMessage(err)); // the typed text stays in the box
    } finally {
      setBusy(false);
    }
  }

  function onClick(spec: ActionSpec) {
    setError(null);
    if (spec.input) {
      setOpen(open?.action === spec.action ? null : spec);
      return;
    }
    void run(spec);
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (open) void run(open);
  }

  return (
    <section className="actions-bar" aria-label="Case actions">
      <div className="actions">
        {canEdit && (
          <Link to={`/cases/${c.id}/edit`} className="button secondary">
            Edit
          </Link>
        )}
        {actions.map((spec) => (
          <button
            key={spec.action}
            type="button"
            className={`button ${spec.kind}`}
            disabled={busy}
            aria-expanded={spec.input ? open?.action === spec.action : undefined}
            onClick={() => onClick(spec)}
          >
            {spec.label}
          </button>
        ))}
      </div>
      {!open && <ErrorAlert message={error} />}
      {open?.input && (
        <form className="card form action-form" onSubmit={onSubmit}>
          <ErrorAlert message={error} />
          <Field label={open.input.label}>
            {(props) => (
              <textarea {...props} rows={3} value={text} onChange={(e) => setText(e.target.value)} autoFocus />
            )}
          </Field>
          <div className="form-actions">
            <button type="button" className="button ghost" onClick={() => setOpen(null)} disabled={busy}>
              Never mind
            </button>
            <span className="spacer" />
            <button type="submit" className={`button ${open.kind === 'danger' ? 'danger' : 'primary'}`} disabled={busy}>
              {busy ? 'Sending…' : `Confirm: ${open.label.toLowerCase()}`}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
