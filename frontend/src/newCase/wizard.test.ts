import { describe, expect, it } from 'vitest';
import {
  clearDraft,
  EMPTY_FIELDS,
  fieldsFromCase,
  firstInvalidStep,
  loadDraft,
  saveDraft,
  toCaseInput,
  validateStep,
  type DraftStorage,
} from './wizard';
import type { Case } from '../api/types';

function memoryStorage(): DraftStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

describe('validateStep', () => {
  it('needs a title and a question first', () => {
    expect(Object.keys(validateStep('question', EMPTY_FIELDS))).toEqual(['title', 'question']);
    expect(validateStep('question', { ...EMPTY_FIELDS, title: 'Knee', question: 'Tear?' })).toEqual({});
  });
  it('asks referrers for the patient name, not patients', () => {
    expect(validateStep('background', EMPTY_FIELDS, ['referrer']).patient_name).toBeDefined();
    expect(validateStep('background', EMPTY_FIELDS, ['patient'])).toEqual({});
  });
  it('requires consent before submitting', () => {
    expect(validateStep('review', EMPTY_FIELDS).consent).toBeDefined();
    expect(firstInvalidStep({ ...EMPTY_FIELDS, title: 'a', question: 'b' })).toBe('review');
    expect(firstInvalidStep({ ...EMPTY_FIELDS, title: 'a', question: 'b', consent: true })).toBeNull();
  });
});

describe('toCaseInput', () => {
  it('trims and leaves out empty optional fields', () => {
    expect(toCaseInput({ ...EMPTY_FIELDS, title: ' Knee MRI ', question: ' Tear? ', priority: 'urgent' })).toEqual({
      title: 'Knee MRI',
      question: 'Tear?',
      priority: 'urgent',
    });
  });
  it('sends consent only once given (the server needs it to submit)', () => {
    expect(toCaseInput({ ...EMPTY_FIELDS, title: 'a', question: 'b', consent: true }).consent).toBe(true);
  });
});

describe('drafts in storage', () => {
  it('round-trips and survives garbage', () => {
    const storage = memoryStorage();
    const fields = { ...EMPTY_FIELDS, title: 'Keep me', question: 'Typed text' };
    saveDraft(storage, { fields, step: 'background', caseId: 'c1' });
    expect(loadDraft(storage)).toEqual({ fields, step: 'background', caseId: 'c1' });
    storage.setItem('telehealth.newCaseDraft', '{"fields":{"title":5,"question":"q"},"step":"nope"}');
    expect(loadDraft(storage)).toEqual({
      fields: { ...EMPTY_FIELDS, question: 'q' },
      step: 'question',
      caseId: null,
    });
    storage.setItem('telehealth.newCaseDraft', 'not json');
    expect(loadDraft(storage)).toBeNull();
    clearDraft(storage);
    expect(loadDraft(storage)).toBeNull();
    expect(loadDraft(undefined)).toBeNull();
  });
  it('prefills from a case', () => {
    const c = { title: 'T', question: 'Q', history: null, priority: 'stat', requested_specialty: null, patient_name: 'P' } as unknown as Case;
    expect(fieldsFromCase(c)).toMatchObject({ title: 'T', question: 'Q', history: '', priority: 'stat', patient_name: 'P' });
  });
});
