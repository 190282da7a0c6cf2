import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { createRule, deleteRule, listRules, updateRule, type RoutingRule } from '../api/routing';
import { useAsync } from '../cases/useAsync';
import { ErrorAlert, Field, Loading } from '../ui/components';
import { draftFromRule, emptyRuleDraft, ruleInput, summarizeRule, WEIGHT_KEYS, type DraftErrors, type RuleDraft } from './profileForm';

const TEXT_FIELDS: { key: keyof RuleDraft & `${'match' | 'required'}_${string}`; label: string; hint?: string }[] = [
  { key: 'match_specialty', label: 'Requested specialty' },
  { key: 'match_modality', label: 'Modality', hint: 'e.g. CT, MR' },
  { key: 'match_body_part', label: 'Body part', hint: 'e.g. CHEST' },
  { key: 'match_region', label: 'Patient region', hint: 'e.g. DE' },
  { key: 'match_language', label: 'Language', hint: 'e.g. en' },
];

function sortRules(rules: RoutingRule[]): RoutingRule[] {
  return [...rules].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
}

/** /admin/routing-rules: the rules tried in order to decide what a case needs. */
export function RoutingRulesPanel() {
  const rules = useAsync(() => listRules(), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const items = sortRules(rules.data?.items ?? []);

  function replace(rule: RoutingRule) {
    const others = (rules.data?.items ?? []).filter((r) => r.id !== rule.id);
    rules.setData({ items: [...others, rule] });
  }

  async function toggle(rule: RoutingRule) {
    setRowError(null);
    try {
      replace(await updateRule(rule.id, { active: !rule.active }));
    } catch (err) {
      setRowError(errorMessage(err));
    }
  }

  async function remove(rule: RoutingRule) {
    if (!window.confirm(`Delete the routing rule “${rule.name}”?`)) return;
    setRowError(null);
    try {
      await deleteRule(rule.id);
      rules.setData({ items: (rules.data?.items ?? []).filter((r) => r.id !== rule.id) });
    } catch (err) {
      setRowError(errorMessage(err));
    }
  }

  return (
    <>
      <p className="muted">
        Rules are tried from the lowest position; the first active rule whose filled-in fields all match a case decides the specialty
        it needs and how candidates are weighed. Empty fields match anything.
      </p>
      {editing === 'new' ? (
        <RuleForm
          onCancel={() => setEditing(null)}
          onSaved={(rule) => {
            replace(rule);
            setEditing(null);
          }}
        />
      ) : (
        <div className="actions">
          <button type="button" className="button primary" onClick={() => setEditing('new')}>
            Add a rule
          </button>
        </div>
      )}
      <ErrorAlert message={rules.error ?? rowError} />
      {rules.loading && !rules.data && <Loading />}
      {rules.data && items.length === 0 && <p className="empty">No routing rules: cases go to the specialty they request.</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="case-table">
            <caption className="visually-hidden">Routing rules</caption>
            <thead>
              <tr>
                <th scope="col">Position</th>
                <th scope="col">Rule</th>
                <th scope="col">Matches</th>
                <th scope="col">Requires</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((rule) =>
                editing === rule.id ? (
                  <tr key={rule.id}>
                    <td colSpan={6}>
                      <RuleForm
                        rule={rule}
                        onCancel={() => setEditing(null)}
                        onSaved={(saved) => {
                          replace(saved);
                          setEditing(null);
                        }}
                      />
                    </td>
                  </tr>
                ) : (
                  <tr key={rule.id}>
                    <td data-label="Position">{rule.position}</td>
                    <td data-label="Rule">
                      <strong>{rule.name}</strong>
                    </td>
                    <td data-label="Matches">{summarizeRule(rule)}</td>
                    <td data-label="Requires">
                      {[rule.required_specialty, rule.required_subspecialty].filter(Boolean).join(' / ') || '—'}
                      {Object.keys(rule.weights).length > 0 && (
                        <span className="muted small block">
                          weights: {Object.entries(rule.weights).map(([k, v]) => `${k} ${v}`).join(', ')}
                        </span>
                      )}
                    </td>
                    <td data-label="Status">
                      <button type="button" className="link-button" onClick={() => toggle(rule)} aria-label={`${rule.active ? 'Deactivate' : 'Activate'} ${rule.name}`}>
                        {rule.active ? 'Active · deactivate' : 'Inactive · activate'}
                      </button>
                    </td>
                    <td data-label="Actions">
                      <span className="row-actions">
                        <button type="button" className="link-button" onClick={() => setEditing(rule.id)} aria-label={`Edit ${rule.name}`}>
                          Edit
                        </button>
                        <button type="button" className="link-button" onClick={() => remove(rule)} aria-label={`Delete ${rule.name}`}>
                          Delete
                        </button>
                      </span>
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function RuleForm({ rule, onSaved, onCancel }: { rule?: RoutingRule; onSaved: (rule: RoutingRule) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<RuleDraft>(() => (rule ? draftFromRule(rule) : emptyRuleDraft()));
  const [errors, setErrors] = useState<DraftErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const checked = ruleInput(draft);
    setErrors(checked.errors);
    if (!checked.input) {
      setError('Please correct the highlighted fields.');
      return;
    }
    setBusy(true);
    try {
      onSaved(rule ? await updateRule(rule.id, checked.input) : await createRule(checked.input));
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors());
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const text = (key: (typeof TEXT_FIELDS)[number]['key'] | 'required_specialty' | 'required_subspecialty', label: string, hint?: string) => (
    <Field key={key} label={label} hint={hint} error={errors[key]}>
      {(p) => <input {...p} value={draft[key]} onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value }))} />}
    </Field>
  );

  return (
    <form className="card form" onSubmit={onSubmit} noValidate aria-label={rule ? `Edit rule ${rule.name}` : 'New routing rule'}>
      <h2>{rule ? `Edit “${rule.name}”` : 'New routing rule'}</h2>
      <ErrorAlert message={error} />
      <div className="grid-2">
        <Field label="Name" error={errors.name}>
          {(p) => <input {...p} value={draft.name} maxLength={200} onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))} />}
        </Field>
        <Field label="Position" hint="Lower positions are tried first" error={errors.position}>
          {(p) => <input {...p} inputMode="numeric" value={draft.position} onChange={(e) => setDraft((d) => ({ ...d, position: e.target.value }))} />}
        </Field>
      </div>
      <label className="radio">
        <input type="checkbox" checked={draft.active} onChange={(e) => setDraft((d) => ({ ...d, active: e.target.checked }))} />
        <span>Active</span>
      </label>
      <fieldset className="field">
        <legend>When a case matches (empty = any)</legend>
        <div className="grid-3">{TEXT_FIELDS.map((f) => text(f.key, f.label, f.hint))}</div>
      </fieldset>
      <fieldset className="field">
        <legend>It needs</legend>
        <div className="grid-2">
          {text('required_specialty', 'Specialty')}
          {text('required_subspecialty', 'Subspecialty')}
        </div>
      </fieldset>
      <fieldset className="field">
        <legend>Weights when ranking candidates (empty = default)</legend>
        <div className="grid-2">
          {WEIGHT_KEYS.map((key) => (
            <Field key={key} label={`Weight of ${key}`} error={errors[`weights.${key}`] ?? (key === WEIGHT_KEYS[0] ? errors.weights : undefined)}>
              {(p) => (
                <input
                  {...p}
                  inputMode="decimal"
                  value={draft.weights[key]}
                  onChange={(e) => setDraft((d) => ({ ...d, weights: { ...d.weights, [key]: e.target.value } }))}
                />
              )}
            </Field>
          ))}
        </div>
      </fieldset>
      <div className="form-actions">
        <button type="button" className="button ghost" onClick={onCancel}>
          Cancel
        </button>
        <span className="spacer" />
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Saving…' : rule ? 'Save rule' : 'Add rule'}
        </button>
      </div>
    </form>
  );
}
