/** The legend of the timeline charts, drawn with the same shapes as the charts. */
import { faultColor, label, line, n, notificationShape, outcomeShape, replayShape, retryRing, textWidth } from './svg.js';

type Item = [label: string, draw: (x: number, y: number) => string];

const swatch = (color: string) => (x: number, y: number): string =>
  `<rect x="${n(x - 8)}" y="${n(y - 6)}" width="16" height="12" fill="${color}" fill-opacity="0.16" stroke="${color}" stroke-opacity="0.5"/>`;

const bracket = (color: string) => (x: number, y: number): string => {
  const d = `M${n(x - 8)} ${n(y - 5)}V${n(y + 5)}M${n(x - 8)} ${n(y)}H${n(x + 8)}M${n(x + 8)} ${n(y - 5)}V${n(y + 5)}`;
  return `<path d="${d}" stroke="${color}" stroke-width="2" fill="none"/>`;
};

const ROWS: Array<[heading: string, items: Item[]]> = [
  [
    'Requests, at their end',
    [
      ['success', (x, y) => outcomeShape('ok', x, y)],
      ['failure', (x, y) => outcomeShape('failed', x, y)],
      ['queued', (x, y) => outcomeShape('queued', x, y)],
      ['from cache', (x, y) => outcomeShape('cached', x, y)],
      ['retried', (x, y) => retryRing(x, y) + outcomeShape('ok', x, y)],
      ['span, failed attempt', (x, y) => line(x - 12, y, x + 8, y, 'span') + line(x - 3, y - 4, x - 3, y + 4, 'attempt-fail')],
      ['replay acknowledged', (x, y) => replayShape(true, x, y)],
      ['replay failed', (x, y) => replayShape(false, x, y)],
    ],
  ],
  [
    'Faults',
    [
      ['partition', swatch(faultColor('partition:drop'))],
      ['flaky', swatch(faultColor('flaky'))],
      ['latency', swatch(faultColor('latency'))],
      ['toxic', swatch(faultColor('toxic:x'))],
    ],
  ],
  [
    'Notifications',
    [
      ['received', (x, y) => notificationShape(true, false, x, y)],
      ['stream repaired', (x, y) => notificationShape(true, true, x, y)],
      ['lost', (x, y) => notificationShape(false, false, x, y)],
    ],
  ],
  [
    'Markers',
    [
      ['detection', bracket('#d97706')],
      ['loss window', bracket('#dc2626')],
      ['recovery', bracket('#16a34a')],
    ],
  ],
];

/** The legend as inline SVG: requests on the first line, the other groups on the second (wrapped to the width). */
export function legendSvg(width = 1240): string {
  const out: string[] = [];
  let x = 4;
  let y = 14;
  const newline = (): void => {
    x = 4;
    y += 24;
  };
  const place = (w: number): void => {
    if (x + w > width) newline();
  };
  for (const [g, [heading, items]] of ROWS.entries()) {
    const headingWidth = textWidth(heading, 11.5) + 14;
    if (g === 1) newline();
    else place(headingWidth + 40);
    out.push(label(x, y + 4, 'plot-title', heading));
    x += headingWidth;
    for (const [name, draw] of items) {
      const w = 36 + textWidth(name, 11);
      place(w);
      out.push(`<g>${draw(x + 10, y)}${label(x + 24, y + 4, 'small', name)}</g>`);
      x += w;
    }
    x += 18;
  }
  const attributes = `class="legend-svg" viewBox="0 0 ${width} ${y + 12}" role="img" aria-label="Legend" xmlns="http://www.w3.org/2000/svg"`;
  return `<svg ${attributes}>${out.join('')}</svg>`;
}
