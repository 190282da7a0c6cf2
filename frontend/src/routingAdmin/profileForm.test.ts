import { describe, expect, it } from 'vitest';
import type { SpecialistProfile } from '../api/routing';
import {
  draftFromProfile,
  draftFromRule,
  emptyRuleDraft,
  parseAbsences,
  parseWorkingHours,
  profileInput,
  ruleInput,
  splitList,
  summarizeRule,
} from './profileForm';

const profile: SpecialistProfile = {
  id: 'p1',
  user: { id: 'u1', name: 'Dr A' },
  specialties: ['radiology'],
  subspecialties: [],
  modalities: ['CT', 'MR'],
  licensed_regions: ['DE'],
  languages: ['en', 'de'],
  capacity: 10,
  time_zone: 'Europe/Berlin',
  working_hours: { mon: [['08:00', '12:00'], ['13:00', '17:00']] },
  absences: [{ starts_at: '2026-12-24T00:00:00Z', ends_at: '2026-12-27T00:00:00Z', reason: 'Holiday' }],
  accepting: true,
  load: 2,
  available_now: true,
  updated_at: '2026-11-01T00:00:00Z',
};

describe('splitList', () => {
  it('trims, drops blanks and repeats', () => {
    expect(splitList(' en, de,,\nen , fr ')).toEqual(['en', 'de', 'fr']);
  });
});

describe('parseWorkingHours', () => {
  it('parses windows and skips empty days', () => {
    const r = parseWorkingHours({ mon: '8:00-12:00, 13:00 - 17:30', tue: '', sun: '20:00-24:00' });
    expect(r.errors).toEqual({});
    expect(r.hours).toEqual({ mon: [['08:00', '12:00'], ['13:00', '17:30']], sun: [['20:00', '24:00']] });
  });
  it('reports bad text and reversed windows per day', () => {
    const r = parseWorkingHours({ mon: 'nine to five', tue: '17:00-09:00' });
    expect(Object.keys(r.errors).sort()).toEqual(['mon', 'tue']);
    expect(r.hours).toEqual({});
  });
});

describe('parseAbsences', () => {
  it('drops blank rows and rejects reversed or half-filled ones', () => {
    const r = parseAbsences([
      { starts: '', ends: '', reason: '' },
      { starts: '2026-12-24T00:00', ends: '2026-12-23T00:00', reason: '' },
      { starts: '2026-12-24T00:00', ends: '', reason: 'x' },
      { starts: '2026-12-24T00:00', ends: '2026-12-25T00:00', reason: ' Holiday ' },
    ]);
    expect(Object.keys(r.errors)).toEqual(['1', '2']);
    expect(r.absences).toHaveLength(1);
    expect(r.absences[0]!.reason).toBe('Holiday');
    expect(r.absences[0]!.starts_at).toMatch(/Z$/);
  });
});

describe('profileInput', () => {
  it('round-trips a profile for an admin', () => {
    const { input, errors } = profileInput(draftFromProfile(profile), false);
    expect(errors).toEqual({});
    expect(input).toMatchObject({
      specialties: ['radiology'],
      modalities: ['CT', 'MR'],
      capacity: 10,
      working_hours: profile.working_hours,
      languages: ['en', 'de'],
    });
    expect(input?.absences?.[0]?.starts_at).toBe('2026-12-24T00:00:00.000Z');
  });
  it('sends only availability and languages for a specialist', () => {
    const { input } = profileInput(draftFromProfile(profile), true);
    expect(Object.keys(input ?? {}).sort()).toEqual(['absences', 'accepting', 'languages', 'time_zone', 'working_hours']);
  });
  it('rejects a bad capacity and keys hour errors by day', () => {
    const draft = { ...draftFromProfile(profile), capacity: '-1', hours: { mon: 'x' } };
    const { input, errors } = profileInput(draft, false);
    expect(input).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['capacity', 'hours.mon']);
  });
});

describe('ruleInput', () => {
  it('sends empty matches as null and parses weights', () => {
    const draft = { ...emptyRuleDraft(), name: ' CT ', match_modality: 'ct', weights: { specialty: '2', subspecialty: '', modality: '0.5', language: '' } };
    const { input, errors } = ruleInput(draft);
    expect(errors).toEqual({});
    expect(input).toMatchObject({ name: 'CT', position: 100, match_modality: 'CT', match_region: null, weights: { specialty: 2, modality: 0.5 } });
  });
  it('needs a name, a whole position and numeric weights', () => {
    const draft = { ...emptyRuleDraft(), position: '1.5', weights: { specialty: 'lots', subspecialty: '', modality: '', language: '' } };
    expect(Object.keys(ruleInput(draft).errors).sort()).toEqual(['name', 'position', 'weights.specialty']);
  });
  it('round-trips a rule and summarizes it', () => {
    const rule = { id: 'r', ...ruleInput({ ...emptyRuleDraft(), name: 'n', match_region: 'DE' }).input!, updated_at: '' };
    expect(ruleInput(draftFromRule(rule)).input).toEqual(ruleInput({ ...emptyRuleDraft(), name: 'n', match_region: 'DE' }).input);
    expect(summarizeRule(rule)).toBe('region DE');
  });
});
