/** Pure helpers behind the specialist profile and routing rule forms. */
import type { Absence, ProfileInput, RoutingRule, RuleInput, SpecialistProfile, WeightKey, WorkingHours } from '../api/routing';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const WEEKDAY_LABELS: Record<string, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};
export const WEIGHT_KEYS: WeightKey[] = ['specialty', 'subspecialty', 'modality', 'language'];

/** "a, b\nc" -> ["a", "b", "c"]: trimmed, no blanks, no repeats. */
export function splitList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[,\n]/)) {
    const value = part.trim();
    if (value && !out.includes(value)) out.push(value);
  }
  return out;
}

export function joinList(values: string[]): string {
  return values.join(', ');
}

/** [["08:00","12:00"],["13:00","17:00"]] -> "08:00-12:00, 13:00-17:00". */
export function formatWindows(windows: string[][] | undefined): string {
  return (windows ?? []).map(([start, end]) => `${start}-${end}`).join(', ');
}

const HHMM = /^([01]?\d|2[0-3]):([0-5]\d)$|^24:00$/;

function pad(value: string): string {
  return value.length === 4 ? `0${value}` : value;
}

/**
 * Parses one text per weekday ("08:00-12:00, 13:00-17:00"; empty = not working that day).
 * Returns the hours, or per-day error messages.
 */
export function parseWorkingHours(texts: Record<string, string>): { hours: WorkingHours; errors: Record<string, string> } {
  const hours: WorkingHours = {};
  const errors: Record<string, string> = {};
  for (const day of WEEKDAYS) {
    const text = (texts[day] ?? '').trim();
    if (!text) continue;
    const windows: string[][] = [];
    for (const chunk of text.split(',')) {
      const piece = chunk.trim();
      if (!piece) continue;
      const [rawStart = '', rawEnd = '', ...rest] = piece.split(/\s*[-–]\s*/);
      if (rest.length > 0 || !HHMM.test(rawStart) || !HHMM.test(rawEnd)) {
        errors[day] = `“${piece}” is not a window like 08:00-17:00.`;
        break;
      }
      const [start, end] = [pad(rawStart), pad(rawEnd)];
      if (start === '24:00' || (end !== '24:00' && end <= start)) {
        errors[day] = `${start}-${end} ends before it starts.`;
        break;
      }
      windows.push([start, end]);
    }
    if (!errors[day]) hours[day] = windows;
  }
  return { hours, errors };
}

export function hoursToTexts(hours: WorkingHours): Record<string, string> {
  const out: Record<string, string> = {};
  for (const day of WEEKDAYS) out[day] = formatWindows(hours[day]);
  return out;
}

/** An absence as edited in the form: local date-times as `<input type="datetime-local">` uses them. */
export interface AbsenceRow {
  starts: string;
  ends: string;
  reason: string;
}

function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}

/** ISO instant -> "YYYY-MM-DDTHH:mm" in the browser's time zone. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${twoDigits(d.getMonth() + 1)}-${twoDigits(d.getDate())}T${twoDigits(d.getHours())}:${twoDigits(d.getMinutes())}`;
}

export function absenceRows(absences: Absence[]): AbsenceRow[] {
  return absences.map((a) => ({ starts: toLocalInput(a.starts_at), ends: toLocalInput(a.ends_at), reason: a.reason ?? '' }));
}

/** Form rows -> API absences (UTC instants); blank rows are dropped, bad rows reported by index. */
export function parseAbsences(rows: AbsenceRow[]): { absences: Absence[]; errors: Record<number, string> } {
  const absences: Absence[] = [];
  const errors: Record<number, string> = {};
  rows.forEach((row, index) => {
    if (!row.starts && !row.ends && !row.reason.trim()) return;
    const starts = new Date(row.starts);
    const ends = new Date(row.ends);
    if (!row.starts || !row.ends || Number.isNaN(starts.getTime()) || Number.isNaN(ends.getTime())) {
      errors[index] = 'Give both a start and an end.';
      return;
    }
    if (ends <= starts) {
      errors[index] = 'The end must be after the start.';
      return;
    }
    absences.push({ starts_at: starts.toISOString(), ends_at: ends.toISOString(), reason: row.reason.trim() || null });
  });
  return { absences, errors };
}

/** Everything the profile form edits, as text. */
export interface ProfileDraft {
  specialties: string;
  subspecialties: string;
  modalities: string;
  licensed_regions: string;
  languages: string;
  capacity: string;
  time_zone: string;
  accepting: boolean;
  hours: Record<string, string>;
  absences: AbsenceRow[];
}

export function draftFromProfile(p: SpecialistProfile): ProfileDraft {
  return {
    specialties: joinList(p.specialties),
    subspecialties: joinList(p.subspecialties),
    modalities: joinList(p.modalities),
    licensed_regions: joinList(p.licensed_regions),
    languages: joinList(p.languages),
    capacity: String(p.capacity),
    time_zone: p.time_zone,
    accepting: p.accepting,
    hours: hoursToTexts(p.working_hours),
    absences: absenceRows(p.absences),
  };
}

export type DraftErrors = Record<string, string>;

/**
 * Checks a draft and builds the PUT body. `selfOnly` (a specialist editing their own profile)
 * sends only what they may change: availability and languages.
 */
export function profileInput(draft: ProfileDraft, selfOnly: boolean): { input: ProfileInput | null; errors: DraftErrors } {
  const errors: DraftErrors = {};
  const hours = parseWorkingHours(draft.hours);
  for (const [day, message] of Object.entries(hours.errors)) errors[`hours.${day}`] = message;
  const absences = parseAbsences(draft.absences);
  for (const [index, message] of Object.entries(absences.errors)) errors[`absences.${index}`] = message;
  const timeZone = draft.time_zone.trim();
  if (!timeZone) errors.time_zone = 'Give a time zone such as Europe/Berlin or UTC.';
  const input: ProfileInput = {
    languages: splitList(draft.languages),
    time_zone: timeZone,
    working_hours: hours.hours,
    absences: absences.absences,
    accepting: draft.accepting,
  };
  if (!selfOnly) {
    const capacity = Number(draft.capacity);
    if (!/^\d+$/.test(draft.capacity.trim()) || capacity > 1000) errors.capacity = 'A whole number from 0 to 1000.';
    input.specialties = splitList(draft.specialties);
    input.subspecialties = splitList(draft.subspecialties);
    input.modalities = splitList(draft.modalities).map((m) => m.toUpperCase());
    input.licensed_regions = splitList(draft.licensed_regions);
    input.capacity = capacity;
  }
  return { input: Object.keys(errors).length ? null : input, errors };
}

/** The rule form's text fields. */
export interface RuleDraft {
  name: string;
  position: string;
  active: boolean;
  match_specialty: string;
  match_modality: string;
  match_body_part: string;
  match_region: string;
  match_language: string;
  required_specialty: string;
  required_subspecialty: string;
  weights: Record<WeightKey, string>;
}

export const RULE_TEXT_FIELDS = [
  'match_specialty',
  'match_modality',
  'match_body_part',
  'match_region',
  'match_language',
  'required_specialty',
  'required_subspecialty',
] as const;

export function emptyRuleDraft(): RuleDraft {
  return {
    name: '',
    position: '100',
    active: true,
    match_specialty: '',
    match_modality: '',
    match_body_part: '',
    match_region: '',
    match_language: '',
    required_specialty: '',
    required_subspecialty: '',
    weights: { specialty: '', subspecialty: '', modality: '', language: '' },
  };
}

export function draftFromRule(rule: RoutingRule): RuleDraft {
  const draft = emptyRuleDraft();
  draft.name = rule.name;
  draft.position = String(rule.position);
  draft.active = rule.active;
  for (const field of RULE_TEXT_FIELDS) draft[field] = rule[field] ?? '';
  for (const key of WEIGHT_KEYS) draft.weights[key] = rule.weights[key] === undefined ? '' : String(rule.weights[key]);
  return draft;
}

/** Checks a rule draft; empty match fields mean "any" and are sent as null. */
export function ruleInput(draft: RuleDraft): { input: RuleInput | null; errors: DraftErrors } {
  const errors: DraftErrors = {};
  const name = draft.name.trim();
  if (!name) errors.name = 'Give the rule a name.';
  const position = Number(draft.position);
  if (!/^\d+$/.test(draft.position.trim()) || position > 100000) errors.position = 'A whole number from 0 to 100000.';
  const weights: Partial<Record<WeightKey, number>> = {};
  for (const key of WEIGHT_KEYS) {
    const text = draft.weights[key].trim();
    if (!text) continue;
    const value = Number(text);
    if (!Number.isFinite(value)) errors[`weights.${key}`] = 'A number, e.g. 1 or 0.5.';
    else weights[key] = value;
  }
  const input: RuleInput = {
    name,
    position,
    active: draft.active,
    match_specialty: null,
    match_modality: null,
    match_body_part: null,
    match_region: null,
    match_language: null,
    required_specialty: null,
    required_subspecialty: null,
    weights,
  };
  for (const field of RULE_TEXT_FIELDS) {
    const value = draft[field].trim();
    input[field] = value ? (field === 'match_modality' ? value.toUpperCase() : value) : null;
  }
  return { input: Object.keys(errors).length ? null : input, errors };
}

/** A one-line description of what a rule matches. */
export function summarizeRule(rule: RoutingRule): string {
  const parts: string[] = [];
  if (rule.match_specialty) parts.push(`specialty ${rule.match_specialty}`);
  if (rule.match_modality) parts.push(`modality ${rule.match_modality}`);
  if (rule.match_body_part) parts.push(`body part ${rule.match_body_part}`);
  if (rule.match_region) parts.push(`region ${rule.match_region}`);
  if (rule.match_language) parts.push(`language ${rule.match_language}`);
  return parts.length ? parts.join(' · ') : 'any case';
}
