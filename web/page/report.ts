/**
 * The report's script (inlined into report.html by `stopcovid report`): draws the curve from the
 * JSON embedded in the page. No network.
 * @module
 */
import { CurveView, type CurveColumns } from './curve.js';

const data = JSON.parse(document.getElementById('curve-data')!.textContent!) as CurveColumns;
const box = document.getElementById('curve')!;
new CurveView(data, box, document.getElementById('flows')!, document.getElementById('curve-last')!, Math.max(400, Math.min(1100, box.clientWidth)));
document.body.dataset.ready = 'true';
