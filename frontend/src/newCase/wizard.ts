/**
 * The new-consult wizard as plain state: fields, steps, validation, and a draft kept in
 * sessionStorage so that nothing typed is lost on an error or a reload.
 */
import type { Case, CaseInput, Priority, Role } from '../api/types';

export interface WizardFields {
  title: string;
  question: string;
  history: string;
  priority: Priority;
  requested_specialty: string;
  patient_name: string;
  patient_birth_date: string;
  consent: boolean;
}

export const EMPTY_FIELDS: WizardFields = {
  title: '',
  question: '',
  history: '',
  priority: 'routine',
  requested_specialty: '',
  patient_name: '',
  patient_birth_date: '',
  consent: false,
};

export type StepId = 'question' | 'background' | 'images' | 'review';

export interface Step {
  id: StepId;
  title: string;
}

export const STEPS: Step[] = [
  { id: 'question', title: 'Your question' },
  { id: 'background', title: 'Background' },
  { id: 'images', title: 'Images' },
  { id: 'review', title: 'Consent and submit' },
];

/** Requested specialty: the value is the routing vocabulary (specialist profiles), the label is for people. */
export const SPECIALTIES: { value: string; label: string }[] = [
  { value: 'general radiology', label: 'General radiology' },
  { value: 'neuroradiology', label: 'Neuroradiology (brain, spine)' },
  { value: 'musculoskeletal', label: 'Musculoskeletal radiology' },
  { value: 'cardiac imaging', label: 'Cardiac imaging' },
  { value: 'oncologic imaging', label: 'Oncologic imaging' },
  { value: 'breast imaging', label: 'Breast imaging' },
  { value: 'pediatric radiology', label: 'Paediatric radiology' },
];

export function specialtyLabel(value: string | null | undefined): string {
  if (!value) return 'No preference';
  return SPECIALTIES.find((s) => s.value === value.toLowerCase())?.label ?? value;
}

export type FieldErrors = Partial<Record<keyof WizardFields, string>>;

/** Validation for one step; an empty object means the step is complete. */
export function validateStep(step: StepId, fields: WizardFields, roles: readonly Role[] = []): FieldErrors {
  const errors: FieldErrors = {};
  if (step === 'question') {
    if (!fields.title.trim()) errors.title = 'Give the consult a short title.';
    else if (fields.title.trim().length > 200) errors.title = 'Keep the title under 200 characters.';
    if (!fields.question.trim()) errors.question = 'Tell the specialist what you would like answered.';
  }
  if (step === 'background') {
    if (roles.includes('referrer') && !roles.includes('patient') && !fields.patient_name.trim()) {
      errors.patient_name = 'Enter the patient’s name.';
    }
    if (fields.patient_birth_date && !/^\d{4}-\d{2}-\d{2}$/.test(fields.patient_birth_date)) {
      errors.patient_birth_date = 'Use the format YYYY-MM-DD.';
    }
  }
  if (step === 'review' && !fields.consent) {
    errors.consent = 'Please confirm your consent to continue.';
  }
  return errors;
}

/** The first step (in order) with errors, or null when all are complete. */
export function firstInvalidStep(fields: WizardFields, roles: readonly Role[] = []): StepId | null {
  for (const step of STEPS) {
    if (Object.keys(validateStep(step.id, fields, roles)).length > 0) return step.id;
  }
  return null;
}

/** The API body for these fields (empty optional fields left out). */
export function toCaseInput(fields: WizardFields): CaseInput {
  const input: CaseInput = {
    title: fields.title.trim(),
    question: fields.question.trim(),
    priority: fields.priority,
  };
  if (fields.history.trim()) input.history = fields.history.trim();
  if (fields.requested_specialty) input.requested_specialty = fields.requested_specialty;
  if (fields.patient_name.trim()) input.patient_name = fields.patient_name.trim();
  if (fields.patient_birth_date) input.patient_birth_date = fields.patient_birth_date;
  if (fields.consent) input.consent = true;
  return input;
}

/** Fields prefilled from an existing draft case (editing). */
export function fieldsFromCase(c: Case): WizardFields {
  return {
    ...EMPTY_FIELDS,
    title: c.title ?? '',
    question: c.question ?? '',
    history: c.history ?? '',
    priority: c.priority ?? 'routine',
    requested_specialty: c.requested_specialty ?? '',
    patient_name: c.patient_name ?? '',
    patient_birth_date: c.patient_birth_date ?? '',
    consent: c.consent ?? false,
  };
}

export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const DRAFT_KEY = 'telehealth.newCaseDraft';

export interface StoredDraft {
  fields: WizardFields;
  step: StepId;
  caseId: string | null;
}

/** Reads a saved draft, ignoring anything malformed. */
export function loadDraft(storage: DraftStorage | undefined, key = DRAFT_KEY): StoredDraft | null {
  if (!storage) return null;
  try {
    const raw = storage.getItem(key);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<StoredDraft>;
    if (!parsed || typeof parsed !== 'object' || !parsed.fields) return null;
    const fields: Record<string, unknown> = { ...EMPTY_FIELDS };
    const stored = parsed.fields as unknown as Record<string, unknown>;
    for (const name of Object.keys(EMPTY_FIELDS) as (keyof WizardFields)[]) {
      if (typeof stored[name] === typeof EMPTY_FIELDS[name]) fields[name] = stored[name];
    }
    const step = STEPS.some((s) => s.id === parsed.step) ? (parsed.step as StepId) : 'question';
    return { fields: fields as unknown as WizardFields, step, caseId: typeof parsed.caseId === 'string' ? parsed.caseId : null };
  } catch {
    return null;
  }
}

export function saveDraft(storage: DraftStorage | undefined, draft: StoredDraft, key = DRAFT_KEY): void {
  try {
    storage?.setItem(key, JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the form still works, only reload-survival is lost.
  }
}

export function clearDraft(storage: DraftStorage | undefined, key = DRAFT_KEY): void {
  try {
    storage?.removeItem(key);
  } catch {
    /* ignore */
  }
}
