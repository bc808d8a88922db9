/**
 * The report: one self-contained HTML file (no network needed to open it) with the world's
 * parameters, the tracing policies it ran under, the epidemic curve (uPlot, its script and style inlined) and the largest contact
 * chains as SVG. Everything comes from a {@link DashboardSource}.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chainSvg, escapeXml } from './chain/svg.js';
import { counted } from './plural.js';
import type { DashboardSource } from './source.js';

/** Options of {@link reportHtml}. */
export interface ReportOptions {
  /** Folder of the built report script and style (`report.js`, `report.css`). */
  assets: string;
  /** How many of the largest chains to draw (default 5). */
  chains?: number;
  /** Most people drawn per chain (default 300). */
  maxNodes?: number;
  /** What the world is called in the title (the store URL). */
  name: string;
}

/** Text safe inside a `<script>` element. */
function script(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/**
 * Build the report's HTML.
 * @throws Error (ENOENT) when the report's script was not built (`npm run build`).
 */
export function reportHtml(source: DashboardSource, options: ReportOptions): string {
  const js = readFileSync(join(options.assets, 'report.js'), 'utf8');
  const css = readFileSync(join(options.assets, 'report.css'), 'utf8');
  const info = source.info();
  const rows = source.curve();
  const columns = Object.fromEntries((['tick', 'at', 'healthy', 'suspicious', 'infected', 'contacts', 'exposures', 'notifications'] as const).map((k) => [k, rows.map((r) => r[k])]));
  const last = rows[rows.length - 1]!;
  const params: [string, string][] = info.params
    ? Object.entries(info.params).map(([k, v]) => [k, Array.isArray(v) ? v.join(':') : String(v)])
    : Object.entries(info.ingest ?? {}).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  // each adopted policy governs the ticks after the one that adopted it
  const policies = info.policies.length
    ? `<table id="policies"><thead><tr><th>ticks</th><th>policy</th><th>source</th></tr></thead><tbody>${info.policies
        .map((p, i) => {
          const to = i + 1 < info.policies.length ? info.policies[i + 1]!.tick : info.tick;
          const ticks = p.tick + 1 > to ? `none (adopted at tick ${p.tick})` : p.tick + 1 === to ? `${to}` : `${p.tick + 1} to ${to}`;
          return `<tr><td>${ticks}</td><td>${escapeXml(p.name)}</td><td>${escapeXml(p.source)}</td></tr>`;
        })
        .join('')}</tbody></table>${info.policies[0]!.tick > 0 ? `<p>Before tick ${info.policies[0]!.tick + 1}: the seed's rule (<code>seed</code>).</p>` : ''}`
    : `<p id="policies">The seed's rule (<code>seed</code>) throughout: no other policy was adopted.</p>`;
  const roots = source.largestChains(options.chains ?? 5);
  const chains = roots.map(({ personId, downstream }, i) => {
    const chain = source.chain(personId, { maxNodes: options.maxNodes ?? 300 });
    const phone = chain.nodes.find((n) => n.personId === personId)!.phone;
    return `<h3>${i + 1}. index case ${escapeXml(phone)}: ${counted(downstream, 'person', 'people')} downstream${chain.cut ? ` (the first ${chain.nodes.length} drawn)` : ''}</h3><div class="chain">${chainSvg(chain)}</div>`;
  });
  const total = rows.reduce((a, r) => ({ contacts: a.contacts + r.contacts, exposures: a.exposures + r.exposures, notifications: a.notifications + r.notifications }), { contacts: 0, exposures: 0, notifications: 0 });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>stopcovid report: ${escapeXml(options.name)}</title>
<style>${css}
body { font-family: system-ui, sans-serif; color: #222; max-width: 1150px; margin: 1em auto; padding: 0 1em; }
table { border-collapse: collapse; font-size: .9em; } td, th { border-bottom: 1px solid #ddd; padding: .2em .8em; text-align: left; }
.chain { overflow-x: auto; border: 1px solid #ddd; margin-bottom: 1em; }
.last { font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<h1>stopcovid report</h1>
<p>World <code>${escapeXml(options.name)}</code>: ${counted(info.people, 'person', 'people')}, ${info.kind === 'grid' ? `${info.width}×${info.height} cells` : info.kind === 'metres' ? 'GPS positions in metres' : 'a contact list without positions'}; ticks 0 to ${info.tick} (${escapeXml(rows[0]!.at)} to ${escapeXml(last.at)}).</p>
<p>After tick ${last.tick}: <b>${last.healthy}</b> healthy, <b>${last.suspicious}</b> suspicious, <b>${last.infected}</b> infected; in all ${counted(total.contacts, 'contact')}, ${counted(total.exposures, 'exposure')}, ${counted(total.notifications, 'alert')}.</p>
<h2>Parameters</h2>
<table id="params"><tbody>${params.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`).join('')}</tbody></table>
<h2>Tracing policy</h2>
${policies}
<h2>Epidemic curve</h2>
<div id="curve"></div>
<div id="flows"></div>
<p id="curve-last" class="last"></p>
<h2>The largest contact chains</h2>
${chains.length ? chains.join('\n') : '<p>No index case exposed anyone.</p>'}
<script type="application/json" id="curve-data">${JSON.stringify(columns).replace(/</g, '\\u003c')}</script>
<script>${script(js)}</script>
</body>
</html>
`;
}
