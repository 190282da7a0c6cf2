import { describe, expect, it } from 'vitest';
import { dueInfo, statusLabel, statusTone } from './caseStatus';
import { apiQuery, filtersFromSearch, pageCount, searchFromFilters } from './listQuery';

describe('dueInfo', () => {
  const now = new Date('2026-11-21T12:00:00Z');
  it('counts down to the due time', () => {
    expect(dueInfo('triage', '2026-11-21T15:00:00Z', now)).toEqual({ text: 'Due in 3 h', overdue: false });
    expect(dueInfo('in_review', '2026-11-21T12:20:00Z', now).text).toBe('Due in 20 min');
    expect(dueInfo('in_review', '2026-11-25T12:00:00Z', now).text).toBe('Due in 4 days');
  });
  it('flags overdue cases', () => {
    expect(dueInfo('offered', '2026-11-21T10:00:00Z', now)).toEqual({ text: 'Overdue by 2 h', overdue: true });
  });
  it('has no clock for drafts, finished cases or missing times', () => {
    expect(dueInfo('draft', '2026-11-21T10:00:00Z', now).text).toBe('Not submitted yet');
    expect(dueInfo('closed', '2026-11-21T10:00:00Z', now).overdue).toBe(false);
    expect(dueInfo('triage', null, now).text).toBe('No due time');
    expect(dueInfo('triage', 'garbage', now).text).toBe('No due time');
  });
});

describe('status labels', () => {
  it('labels known and unknown statuses', () => {
    expect(statusLabel('info_requested')).toBe('Information requested');
    expect(statusLabel('amended_x')).toBe('amended x');
    expect(statusTone('reported')).toBe('success');
    expect(statusTone('whatever')).toBe('neutral');
  });
});

describe('list filters in the URL', () => {
  it('round-trips and drops defaults', () => {
    const filters = filtersFromSearch(new URLSearchParams('status=triage&q=knee&page=3'));
    expect(filters).toEqual({ status: 'triage', q: 'knee', page: 3 });
    expect(searchFromFilters(filters).toString()).toBe('status=triage&q=knee&page=3');
    expect(searchFromFilters({ status: '', q: '  ', page: 1 }).toString()).toBe('');
  });
  it('ignores bad values', () => {
    expect(filtersFromSearch(new URLSearchParams('status=bogus&page=-2'))).toEqual({ status: '', q: '', page: 1 });
  });
  it('builds the API query', () => {
    expect(apiQuery({ status: '', q: ' mri ', page: 2 })).toEqual({
      status: undefined,
      q: 'mri',
      page: 2,
      per_page: 20,
    });
  });
  it('counts pages', () => {
    expect(pageCount(0, 20)).toBe(1);
    expect(pageCount(41, 20)).toBe(3);
  });
});
