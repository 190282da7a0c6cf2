import { useState, type FormEvent } from 'react';
import { listMessages, postMessage } from '../api/cases';
import { errorMessage } from '../api/client';
import { useAsync } from '../cases/useAsync';
import { useSession } from '../auth/useSession';
import { formatDateTime } from '../cases/caseStatus';
import { ErrorAlert, Field, Loading } from '../ui/components';

export function Messages({ caseId }: { caseId: string }) {
  const session = useSession();
  const me = session.status === 'authenticated' ? session.user.id : null;
  const messages = useAsync(() => listMessages(caseId), [caseId]);
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!body.trim()) {
      setError('Write a message first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const message = await postMessage(caseId, body.trim());
      messages.setData({ items: [...(messages.data?.items ?? []), message] });
      setBody('');
    } catch (err) {
      setError(errorMessage(err)); // keep the draft in the box
    } finally {
      setBusy(false);
    }
  }

  const items = messages.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="messages-heading">
      <h2 id="messages-heading">Messages</h2>
      <ErrorAlert message={messages.error} />
      {messages.loading && !messages.data && <Loading />}
      {messages.data && items.length === 0 && (
        <p className="muted">No messages yet. Questions and answers about this case appear here.</p>
      )}
      <ol className="messages" aria-label="Message thread">
        {items.map((m) => (
          <li key={m.id} className={m.author && m.author.id === me ? 'mine' : m.author ? undefined : 'system'}>
            <div className="message-meta">
              <strong>{m.author?.name ?? 'Second Opinion'}</strong>{' '}
              <time className="muted small" dateTime={m.created_at}>
                {formatDateTime(m.created_at)}
              </time>
            </div>
            <p className="prewrap">{m.body}</p>
          </li>
        ))}
      </ol>
      <form className="form message-form" onSubmit={onSubmit}>
        <ErrorAlert message={error} />
        <Field label="Write a message">
          {(props) => <textarea {...props} rows={3} value={body} onChange={(e) => setBody(e.target.value)} />}
        </Field>
        <div className="form-actions">
          <span className="spacer" />
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Sending…' : 'Send message'}
          </button>
        </div>
      </form>
    </section>
  );
}
