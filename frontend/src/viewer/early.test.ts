import { describe, expect, it } from 'vitest';
import { parseViewerLink } from './early';

describe('parseViewerLink', () => {
  it('reads the case, study and series of a viewer link', () => {
    expect(parseViewerLink('/cases/c-1/viewer', '?study=1.2&series=1.2.3')).toEqual({
      caseId: 'c-1',
      studyUid: '1.2',
      seriesUid: '1.2.3',
    });
  });
  it('takes the active pane of a layout link', () => {
    expect(parseViewerLink('/cases/c-1/viewer', '?study=1.2&layout=1x2&panes=1.2.3,1.2.4&active=2')?.seriesUid).toBe('1.2.4');
  });
  it('has no series when the link names none, and ignores other pages', () => {
    expect(parseViewerLink('/cases/c-1/viewer', '?study=1.2')?.seriesUid).toBe('');
    expect(parseViewerLink('/cases/c-1', '?study=1.2&series=1.2.3')).toBeNull();
    expect(parseViewerLink('/cases/c-1/viewer/extra', '')).toBeNull();
  });
});
