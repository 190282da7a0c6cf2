import { describe, expect, it } from 'vitest';
import { Autosave, contentFromFields, fieldsFromContent, type SaveState } from './draft';
import type { Measurement, ReportContent } from '../api/reports';

const measurement: Measurement = {
  annotation_id: 'a1',
  kind: 'length',
  value: 12.4,
  unit: 'mm',
  study_instance_uid: '1.2.3',
  series_instance_uid: '1.2.3.4',
  sop_class_uid: '1.2.840.10008.5.1.4.1.1.2',
  sop_instance_uid: '1.2.3.4.5',
  frame_number: null,
  graphic_type: 'POLYLINE',
  points: [
    [1, 2],
    [3, 4],
  ],
  finding: '',
};

const content: ReportContent = {
  title: 'Second opinion report',
  history: 'h',
  technique: '',
  comparison: '',
  findings: [{ key: 'brain', title: 'Brain', text: 'Normal.' }],
  measurements: [measurement],
  impression: ['No acute findings.', 'Benign lesion.'],
  recommendations: [],
  agreement: null,
  key_images: [],
};

describe('report fields', () => {
  it('round-trips content and keeps what the form does not show', () => {
    const fields = fieldsFromContent(content);
    expect(fields.impression).toBe('No acute findings.\nBenign lesion.');
    const next = contentFromFields({ ...fields, impression: ' A \n\n B ', agreement: 'concordant', agreementComment: 'ok' }, content);
    expect(next.impression).toEqual(['A', 'B']);
    expect(next.agreement).toEqual({ agreement: 'concordant', comment: 'ok' });
    expect(next.measurements).toEqual([measurement]);
    expect(next.title).toBe('Second opinion report');
  });
  it('puts the measurement and key image lists of the form into the content', () => {
    const fields = fieldsFromContent(content);
    const next = contentFromFields({ ...fields, measurements: [], keyImages: [] }, content);
    expect(next.measurements).toEqual([]);
    expect(next.key_images).toEqual([]);
  });
  it('gives an empty report one findings section', () => {
    expect(fieldsFromContent({ ...content, findings: [] }).findings).toHaveLength(1);
  });
});

function manualTimers() {
  const queue: (() => void)[] = [];
  return {
    schedule: (fn: () => void) => {
      queue.push(fn);
      return queue.length - 1;
    },
    cancel: (h: unknown) => {
      queue[h as number] = () => undefined;
    },
    run: () => {
      const fns = queue.splice(0);
      fns.forEach((fn) => fn());
    },
  };
}

describe('Autosave', () => {
  it('flush during a save waits for it and for what was typed meanwhile (before preview or signing)', async () => {
    const timers = manualTimers();
    const sent: [string, number][] = [];
    let release: () => void = () => undefined;
    const autosave = new Autosave<{ version: number }>(1, {
      delayMs: 500,
      save: (c, v) => {
        sent.push([c.history, v]);
        return sent.length === 1
          ? new Promise((resolve) => {
              release = () => resolve({ version: v + 1 });
            })
          : Promise.resolve({ version: v + 1 });
      },
      onSaved: () => undefined,
      onState: () => undefined,
      isConflict: () => false,
      describe: String,
      ...timers,
    });
    autosave.change({ ...content, history: 'a' });
    const first = autosave.flush();
    autosave.change({ ...content, history: 'ab' });
    let settled = false;
    const second = autosave.flush().then(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(settled).toBe(false);
    release();
    await Promise.all([first, second]);
    expect(sent).toEqual([
      ['a', 1],
      ['ab', 2],
    ]);
    expect(autosave.baseVersion).toBe(3);
  });
  it('debounces, sends the base version and advances it', async () => {
    const timers = manualTimers();
    const sent: [string, number][] = [];
    const states: SaveState[] = [];
    const autosave = new Autosave<{ version: number }>(3, {
      delayMs: 500,
      save: async (c, v) => {
        sent.push([c.history, v]);
        return { version: v + 1 };
      },
      onSaved: () => undefined,
      onState: (s) => states.push(s),
      isConflict: () => false,
      describe: String,
      ...timers,
    });
    autosave.change({ ...content, history: 'a' });
    autosave.change({ ...content, history: 'ab' });
    timers.run();
    await autosave.flush();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual([['ab', 3]]);
    expect(autosave.baseVersion).toBe(4);
    expect(states.at(-1)).toBe('saved');
  });

  it('stops on a version conflict and keeps the text on other errors', async () => {
    let fail: 'conflict' | 'network' = 'network';
    const states: [SaveState, string | undefined][] = [];
    const autosave = new Autosave<{ version: number }>(1, {
      delayMs: 0,
      save: async () => {
        throw new Error(fail);
      },
      onSaved: () => undefined,
      onState: (s, m) => states.push([s, m]),
      isConflict: (e) => (e as Error).message === 'conflict',
      describe: (e) => (e as Error).message,
      schedule: () => 0,
      cancel: () => undefined,
    });
    autosave.change(content);
    await autosave.flush();
    expect(states.at(-1)).toEqual(['error', 'network']);
    fail = 'conflict';
    await autosave.flush(); // the kept text is sent again
    expect(states.at(-1)).toEqual(['conflict', 'conflict']);
    autosave.change(content);
    expect(states.at(-1)?.[0]).toBe('conflict');
  });
});
