// Bundle the dashboard page and the report's script with esbuild into dist/web/assets
// (`npm run build` runs it after tsc), so that the built package serves them with no network.
import { appendFileSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist', 'web', 'assets');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(root, 'web/page/main.ts'), report: join(root, 'web/page/report.ts') },
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  outdir: out,
  logLevel: 'warning',
});
copyFileSync(join(root, 'web/page/index.html'), join(out, 'index.html'));
// the page's own style after uPlot's (esbuild emitted it as app.css from the import in curve.ts)
appendFileSync(join(out, 'app.css'), readFileSync(join(root, 'web/page/app.css')));
