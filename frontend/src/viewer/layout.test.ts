import { describe, expect, it } from 'vitest';
import {
  activate,
  assignSeries,
  changeLayout,
  paneCount,
  parseLayout,
  readLayoutParams,
  resolvePanes,
  writeLayoutParams,
} from './layout';

const params = (s: string) => new URLSearchParams(s);

describe('layout params', () => {
  it('parses known layouts and falls back to one viewport', () => {
    expect(parseLayout('2x2')).toBe('2x2');
    expect(parseLayout('3x3')).toBe('1x1');
    expect(parseLayout(null)).toBe('1x1');
    expect([paneCount('1x1'), paneCount('1x2'), paneCount('2x2')]).toEqual([1, 2, 4]);
  });

  it('reads the old single-viewport link unchanged', () => {
    expect(readLayoutParams(params('study=1.2&series=1.2.3&session=abc'))).toEqual({
      layout: '1x1',
      active: 0,
      panes: ['1.2.3'],
    });
  });

  it('reads layout, panes and active viewport; series names the active one', () => {
    const state = readLayoutParams(params('layout=2x2&panes=1.1,1.2,,1.4&active=3&series=1.9'));
    expect(state).toEqual({ layout: '2x2', active: 2, panes: ['1.1', '1.2', '1.9', '1.4'] });
  });

  it('ignores bad values', () => {
    expect(readLayoutParams(params('layout=1x2&panes=<script>,1.2,1.3&active=9'))).toEqual({
      layout: '1x2',
      active: 0,
      panes: ['', '1.2'],
    });
    expect(readLayoutParams(params('layout=1x2&active=1.5&series=javascript:x')).active).toBe(0);
  });

  it('writes the state back and keeps the other params (study, session, share base)', () => {
    const next = writeLayoutParams(params('study=1.2&session=s1&series=1.1'), {
      layout: '1x2',
      active: 1,
      panes: ['1.1', '1.5'],
    });
    expect(Object.fromEntries(next)).toEqual({ study: '1.2', session: 's1', series: '1.5', layout: '1x2', panes: '1.1,1.5', active: '2' });
    // Round trip.
    expect(readLayoutParams(next)).toEqual({ layout: '1x2', active: 1, panes: ['1.1', '1.5'] });
  });

  it('writes one viewport the old way (no layout params)', () => {
    const next = writeLayoutParams(params('study=1.2&layout=2x2&panes=1.1,1.2,,&active=2'), {
      layout: '1x1',
      active: 0,
      panes: ['1.2'],
    });
    expect(next.toString()).toBe('study=1.2&series=1.2');
  });
});

describe('viewport assignment', () => {
  const two = { layout: '1x2' as const, active: 1, panes: ['1.1', '1.2'] };

  it('keeps viewports and the active one when the layout grows', () => {
    expect(changeLayout(two, '2x2')).toEqual({ layout: '2x2', active: 1, panes: ['1.1', '1.2', '', ''] });
  });

  it('shows the active series when going back to one viewport', () => {
    expect(changeLayout(two, '1x1')).toEqual({ layout: '1x1', active: 0, panes: ['1.2'] });
  });

  it('puts a series into a viewport and activates it', () => {
    expect(assignSeries(two, '1.7', 0)).toEqual({ layout: '1x2', active: 0, panes: ['1.7', '1.2'] });
    expect(assignSeries(two, '1.7')).toEqual({ layout: '1x2', active: 1, panes: ['1.1', '1.7'] });
    expect(assignSeries(two, '1.7', 5)).toBe(two);
    expect(activate(two, 0).active).toBe(0);
    expect(activate(two, 2)).toBe(two);
  });

  it('fills empty viewports with series not shown yet', () => {
    expect(resolvePanes(['', '', '', ''], ['1.1', '1.2', '1.3'])).toEqual(['1.1', '1.2', '1.3', '']);
    expect(resolvePanes(['1.2', '', ''], ['1.1', '1.2'])).toEqual(['1.2', '1.1', '']);
    // A series that is not in the study is replaced; the first viewport always shows something.
    expect(resolvePanes(['9.9', '1.1'], ['1.1'])).toEqual(['1.1', '1.1']);
    // Before the series list arrives the URL is trusted (the first image does not wait for the list).
    expect(resolvePanes(['1.5', ''], [])).toEqual(['1.5', '']);
  });
});
