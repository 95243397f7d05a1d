/** The HTML report's stylesheet (inline in the page; system fonts only, nothing fetched). */

/** The CSS of the report page and its SVG charts. */
export const REPORT_CSS = `
:root { --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f5f6f8; --card: #fff;
  --ok: #1f9d55; --bad: #d64541; --warn: #d98e04; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 2px; }
h2 { font-size: 18px; margin: 0; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.sub, .muted { color: var(--muted); }
.sub { margin: 0 0 16px; font-size: 13px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 10px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 10px 16px; min-width: 118px; }
.card .v { font-size: 24px; font-weight: 650; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.target { border-width: 2px; }
.card.target.met { border-color: var(--ok); } .card.target.unmet { border-color: var(--bad); }
.card.good .v { color: var(--ok); } .card.bad .v { color: var(--bad); }
.empty { padding: 16px; }
.counts { margin: 4px 0 22px; color: var(--muted); }
.counts b { color: var(--fg); }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 650; letter-spacing: .02em; }
.badge.pass { background: #dcfce7; color: #166534; } .badge.fail { background: #fee2e2; color: #991b1b; }
.badge.probe { background: #e0e7ff; color: #3730a3; font-weight: 600; }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 10px; }
table.windows { margin: 8px 0 6px; font-size: 12px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: middle; }
th { white-space: nowrap; font-size: 11.5px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.lost { color: var(--bad); font-weight: 650; }
tr:last-child td { border-bottom: 0; }
tbody tr:hover { background: #f9fafb; }
td .t { color: var(--muted); font-size: 12px; }
td.num .t { white-space: nowrap; }
.flag { text-align: center; font-weight: 600; white-space: nowrap; }
.flag.match { color: var(--ok); } .flag.miss { color: #fff; background: var(--bad); } .flag.free { color: var(--muted); }
.legend { position: sticky; top: 0; z-index: 2; margin: 22px 0 14px; padding: 6px 12px; background: rgba(255,255,255,.96);
  border: 1px solid var(--line); border-radius: 10px; backdrop-filter: blur(4px); }
.legend svg { display: block; width: 100%; height: auto; }
section.scenario { margin: 0 0 22px; padding: 16px 18px 10px; }
.scenario header { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; margin-bottom: 8px; }
.scenario header .title { color: var(--muted); }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 4px 18px; margin: 6px 0 10px; font-size: 13px; }
.facts div { display: flex; justify-content: space-between; gap: 8px; border-bottom: 1px dotted var(--line); padding: 2px 0; }
.facts .wide { grid-column: span 2; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.alert { background: #fef2f2; border: 1px solid #fecaca; color: #991b1b; border-radius: 8px; padding: 8px 12px; margin: 6px 0 10px; }
.alert ul, .notice ul { margin: 4px 0 0; padding-left: 20px; }
.notice { background: #fffbeb; border: 1px solid #fde68a; color: #92400e; border-radius: 8px; padding: 8px 12px; margin: 6px 0 10px; }
.notes { background: #fffbeb; border: 1px solid #fde68a; color: #78350f; border-radius: 8px; padding: 6px 12px; margin: 6px 0 10px; }
.notes p, ul.notes li { margin: 2px 0; }
ul.notes { padding-left: 28px; }
.notes pre { white-space: pre-wrap; margin: 4px 0; font-size: 12px; }
.ids { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
svg.timeline { display: block; margin: 4px 0 0; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.lane { fill: #fafbfc; } .lane.alt { fill: #f3f4f6; }
.lane-name { font-size: 13px; font-weight: 650; fill: var(--fg); }
.small { font-size: 11px; fill: var(--fg); } .small.muted { fill: var(--muted); }
.tick { font-size: 10.5px; fill: var(--muted); }
.grid { stroke: #e5e7eb; stroke-width: 1; }
.band-label { font-size: 10.5px; font-weight: 600; }
.marker-label, .band-label { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
.marker-label { font-size: 11.5px; font-weight: 650; }
.plot-title { font-size: 12px; font-weight: 600; fill: var(--fg); }
.plot-bg { fill: #fcfcfd; stroke: var(--line); }
.span { stroke: #9ca3af; stroke-width: 1.6; }
.attempt-fail { stroke: #d64541; stroke-width: 1.4; }
g.req:hover, g.replay:hover, g.notification:hover, circle.rtt:hover { filter: brightness(.8); }
svg.call-stream { display: block; margin: 2px 0 10px; }
h3.call { font-size: 13px; margin: 12px 0 0; }
.resume-line { stroke: #7c3aed; stroke-width: 1.4; stroke-dasharray: 5 3; }
.defects { background: #fffbeb; border: 1px solid #fde68a; color: #92400e; border-radius: 8px; padding: 8px 12px; margin: 6px 0 10px; }
.defects ul { margin: 4px 0 0; padding-left: 20px; }
footer { color: var(--muted); font-size: 12px; margin-top: 28px; }
.client-charts { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.client-charts figcaption { width: 100%; font-size: 13px; color: var(--muted); }
@media print { .legend { position: static; } section.scenario { break-inside: avoid; } }
`;
