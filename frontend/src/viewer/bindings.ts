/**
 * Which mouse button or touch gesture drives which tool, for a chosen primary tool. Modelled on
 * OHIF's viewer: the left button / one finger use the primary tool (window/level by default), the
 * right button and a two-finger pinch zoom (the zoom tool pans with two fingers while pinching),
 * the middle button pans, the wheel and a three-finger drag scroll through the stack.
 * Plain TypeScript (engine.ts maps it onto Cornerstone's bindings), unit-tested without a browser.
 */

export type ToolName =
  | 'WindowLevel'
  | 'Pan'
  | 'Zoom'
  | 'StackScroll'
  | 'Length'
  | 'Angle'
  | 'EllipticalROI'
  | 'RectangleROI'
  | 'Probe'
  | 'ArrowAnnotate'
  | 'Label';

export const TOOL_NAMES: readonly ToolName[] = [
  'WindowLevel',
  'Pan',
  'Zoom',
  'StackScroll',
  'Length',
  'Angle',
  'EllipticalROI',
  'RectangleROI',
  'Probe',
  'ArrowAnnotate',
  'Label',
];

/** Tools that draw annotations: always at least passive, so their drawings show and can be edited. */
export const ANNOTATION_TOOLS: readonly ToolName[] = [
  'Length',
  'Angle',
  'EllipticalROI',
  'RectangleROI',
  'Probe',
  'ArrowAnnotate',
  'Label',
];

export type Binding = { mouse: 'primary' | 'secondary' | 'auxiliary' | 'wheel' } | { touch: 1 | 2 | 3 };

/** The bindings of every tool when `primary` is the chosen tool; tools without bindings are passive. */
export function toolBindings(primary: ToolName): Record<ToolName, Binding[]> {
  const plan = Object.fromEntries(TOOL_NAMES.map((t) => [t, [] as Binding[]])) as Record<ToolName, Binding[]>;
  plan.Zoom.push({ mouse: 'secondary' }, { touch: 2 });
  plan.Pan.push({ mouse: 'auxiliary' });
  plan.StackScroll.push({ mouse: 'wheel' }, { touch: 3 });
  plan[primary].unshift({ mouse: 'primary' }, { touch: 1 });
  return plan;
}
