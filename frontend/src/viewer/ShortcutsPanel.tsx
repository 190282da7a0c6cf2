import { LAYOUTS } from './layout';
import { CT_PRESETS } from './windowing';

const GENERAL: [string, string][] = [
  ['↑ ↓ / PgUp PgDn / wheel', 'previous / next image'],
  ['Home / End', 'first / last image'],
  ['+ / −', 'zoom in / out'],
  ['R', 'reset the view'],
  ['I', 'invert'],
  ['Space', 'play / stop cine'],
  ['0', "the file's own window"],
  ['Delete / Backspace', 'delete the selected measurement'],
  ['V', 'next viewport'],
  ['Right button drag', 'zoom'],
  ['Middle button drag', 'pan'],
];

const TOUCH: [string, string][] = [
  ['One finger', 'the chosen tool (window/level at first)'],
  ['Two fingers', 'pinch to zoom, move to pan'],
  ['Three fingers', 'scroll through the images'],
  ['Slider on the right', 'scroll through the images'],
];

/** The keyboard shortcuts and touch gestures (opened with ? or the Keys button). */
export function ShortcutsPanel({ tools, onClose }: { tools: { label: string; key: string }[]; onClose: () => void }) {
  const rows: [string, string][] = [
    ...GENERAL,
    ...LAYOUTS.map((l): [string, string] => [`Shift+${l.digit}`, `${l.label} viewports`]),
    ...tools.map((t): [string, string] => [t.key.toUpperCase(), t.label]),
    ...CT_PRESETS.map((p): [string, string] => [p.key, p.label]),
  ];
  return (
    <aside className="measurements shortcuts" aria-label="Keyboard shortcuts">
      <div className="attributes-head">
        <strong>Keyboard shortcuts</strong>
        <button type="button" className="tool" onClick={onClose} aria-label="Close shortcuts">
          ×
        </button>
      </div>
      <table>
        <tbody>
          {rows.map(([key, what]) => (
            <tr key={`${key}-${what}`}>
              <td>
                <kbd>{key}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <strong className="block">Touch</strong>
      <table>
        <tbody>
          {TOUCH.map(([gesture, what]) => (
            <tr key={gesture}>
              <td>{gesture}</td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
