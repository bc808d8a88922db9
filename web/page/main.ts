/**
 * The dashboard page: loads the world, draws the map, the curve, a chain on request and the last
 * alerts, then follows the server's event stream. Bundled by scripts/build-web.mjs.
 * @module
 */
import { chainSvg } from '../chain/svg.js';
import { counted } from '../plural.js';
import { STATUS_COLOURS, STATUS_NAMES } from '../chain/palette.js';
import type { Alert, Chain, Lag, TickUpdate, WorldInfo } from '../source.js';
import { CurveView, type CurveColumns } from './curve.js';
import { decodePeople, MapView } from './map.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** Timings the benchmark reads: first paint of the map, last map redraw (ms). */
const timings: { firstPaint?: number; lastDraw?: number; lastRefresh?: number } = {};
(window as unknown as { stopcovid: unknown }).stopcovid = { timings };

async function get<T>(path: string): Promise<T> {
  const res = await fetch(path);
  if (!res.ok) throw new Error((await res.text()).trim() || `${res.status} ${res.statusText}`);
  return (await res.json()) as T;
}

function fail(message: string): void {
  const line = $('status-line');
  line.textContent = message;
  line.className = 'failure';
}

async function main(): Promise<void> {
  const info = await get<WorldInfo>('/api/world');
  const what = info.params ? `simulation: ${info.people.toLocaleString('en')} people on ${info.width}×${info.height} cells, step ${info.params.step}, radius ${info.params.radius}, seed ${info.params.seed}` : `ingested ${info.ingest?.source}: ${info.people.toLocaleString('en')} people`;
  $('world').textContent = what;
  document.title = `stopcovid: ${what}`;

  // legend
  const legend = $('legend');
  const counts: HTMLElement[] = [];
  STATUS_NAMES.forEach((name, s) => {
    const li = document.createElement('li');
    li.innerHTML = `<i style="background:${STATUS_COLOURS[s]}"></i>${name} <b data-status="${s}">0</b>`;
    legend.append(li);
    counts.push(li.querySelector('b')!);
  });
  const showCounts = (h: number, s: number, i: number) => [h, s, i].forEach((v, k) => (counts[k]!.textContent = v.toLocaleString('en')));

  // curve
  const curveBox = $('curve');
  const curve = new CurveView(await get<CurveColumns>('/api/curve'), curveBox, $('flows'), $('curve-last'), Math.max(300, curveBox.clientWidth));
  const lastRow = () => curve.lastTick;
  const setTick = (tick: number) => {
    document.body.dataset.tick = String(tick);
    $('map-caption').textContent = `tick ${tick}${info.kind === 'metres' ? `, ${info.width.toLocaleString('en')} × ${info.height.toLocaleString('en')} m, north up` : ''}`;
  };

  // map
  const canvas = $<HTMLCanvasElement>('map');
  let map: MapView | undefined;
  if (info.kind === 'none') {
    canvas.hidden = true;
    const empty = $('map-empty');
    empty.hidden = false;
    empty.textContent = 'This world has no positions (a contact list): no map. Type a phone or id:<id> to see a chain.';
    document.querySelector<HTMLElement>('#map-panel .hint')!.hidden = true;
  } else {
    const side = Math.min(760, Math.max(300, $('map-box').clientWidth - 2));
    // GPS: one scale on both axes over a square around the positions, north up
    const gps = info.kind === 'metres';
    const span = Math.ceil(Math.max(info.width, info.height) * 1.1) + 2; // a margin: no dot on the border
    const extent = gps ? { x0: info.x0 - (span - info.width) / 2, y0: info.y0 - (span - info.height) / 2, width: span, height: span, northUp: true } : { x0: 0, y0: 0, width: info.width, height: info.height, northUp: false };
    map = new MapView(canvas, extent, side);
    if (gps) $('map-caption').dataset.units = 'metres';
  }
  let fetching = false;
  let again = false;
  const refreshMap = async () => {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      do {
        again = false;
        const started = performance.now();
        const people = decodePeople(await (await fetch('/api/people')).arrayBuffer());
        if (map) timings.lastDraw = map.draw(people);
        timings.lastRefresh = performance.now() - started;
        timings.firstPaint ??= performance.now();
        const c = [0, 0, 0];
        for (let i = 0; i < people.status.length; i++) c[people.status[i]!]!++;
        showCounts(c[0]!, c[1]!, c[2]!);
        setTick(Math.max(people.tick, lastRow()));
      } while (again);
    } catch (error) {
      fail(`map: ${(error as Error).message}`);
    } finally {
      fetching = false;
    }
  };
  await refreshMap();

  // chain
  const message = $('chain-message');
  const chainBox = $('chain');
  const showChain = async (query: string) => {
    message.className = '';
    message.textContent = 'tracing…';
    try {
      const res = await fetch(`/api/chain?${query}`);
      if (!res.ok) {
        message.className = 'error';
        message.textContent = (await res.text()).trim();
        chainBox.innerHTML = '';
        return;
      }
      const chain = (await res.json()) as Chain;
      const me = chain.nodes.find((n) => n.personId === chain.personId)!;
      message.textContent = `${me.phone}: ${STATUS_NAMES[me.status]}${me.indexCase ? ', index case' : ''}; ${counted(chain.nodes.length - 1, 'other person', 'other people')}, ${counted(chain.links.length, 'exposure')}${chain.cut ? ' (cut: the chain is larger than shown)' : ''}`;
      chainBox.dataset.person = String(chain.personId);
      $<HTMLInputElement>('phone').value = me.phone; // a click on the map shows whom it found
      chainBox.innerHTML = chain.links.length === 0 && !me.indexCase ? '<p>No exposure links this person to anyone.</p>' : chainSvg(chain, { maxWidth: Math.max(400, chainBox.clientWidth - 10) });
    } catch (error) {
      message.className = 'error';
      message.textContent = `the server did not answer: ${(error as Error).message}`;
    }
  };
  $<HTMLFormElement>('search').addEventListener('submit', (event) => {
    event.preventDefault();
    void showChain(`phone=${encodeURIComponent($<HTMLInputElement>('phone').value)}`);
  });
  // the map: wheel zooms at the pointer, a drag pans, a double click shows everything, a click traces
  const at = (event: MouseEvent) => {
    const rect = canvas.getBoundingClientRect();
    return [((event.clientX - rect.left) * canvas.width) / rect.width, ((event.clientY - rect.top) * canvas.height) / rect.height] as const;
  };
  let frame = 0;
  const soon = (action: () => void) => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(action);
  };
  let zoomBy = 1;
  canvas.addEventListener(
    'wheel',
    (event) => {
      if (!map) return;
      event.preventDefault();
      zoomBy *= Math.exp(-event.deltaY / 300);
      const [cx, cy] = at(event);
      soon(() => (map!.zoomAt(cx, cy, zoomBy), (zoomBy = 1)));
    },
    { passive: false },
  );
  let drag: { x: number; y: number; moved: boolean } | undefined;
  let panX = 0;
  let panY = 0;
  canvas.addEventListener('mousedown', (event) => {
    const [x, y] = at(event);
    drag = { x, y, moved: false };
  });
  window.addEventListener('mousemove', (event) => {
    if (!drag || !map) return;
    const [x, y] = at(event);
    if (!drag.moved && Math.hypot(x - drag.x, y - drag.y) < 4) return;
    panX += x - drag.x;
    panY += y - drag.y;
    drag = { x, y, moved: true };
    soon(() => (map!.panBy(panX, panY), (panX = panY = 0)));
  });
  window.addEventListener('mouseup', (event) => {
    const click = drag && !drag.moved && event.target === canvas;
    drag = undefined;
    if (!click || !map) return;
    const [x, y] = at(event);
    const person = map.personAt(x, y);
    if (person !== undefined) void showChain(`person=${person}`);
  });
  canvas.addEventListener('dblclick', () => map?.reset());

  // alerts
  const alertsList = $('alerts');
  const addAlerts = (alerts: Alert[], front: boolean) => {
    const items = alerts.map((a) => {
      const li = document.createElement('li');
      li.textContent = `${a.at}  ${a.phone}  ${a.kind === 'released' ? 'released' : 'asked to get tested'} (tick ${a.tick})`;
      return li;
    });
    if (front) alertsList.prepend(...items);
    else alertsList.append(...items);
    while (alertsList.children.length > 30) alertsList.lastElementChild!.remove();
  };
  addAlerts(await get<Alert[]>('/api/alerts?limit=30'), false);

  let lastLag: Lag | undefined;
  const showLag = (lag: Lag | undefined) => {
    lastLag = lag ?? lastLag;
    lag = lastLag;
    const line = $('status-line');
    line.className = '';
    line.textContent = `read up to event ${lag?.position.toLocaleString('en') ?? '?'}; lag ${lag?.events.toLocaleString('en') ?? '?'} events, ${lag ? lag.seconds.toFixed(1) : '?'} s`;
  };
  showLag(await get<Lag>('/api/lag'));

  // live
  const events = new EventSource('/api/events');
  events.addEventListener('tick', (e) => {
    const update = JSON.parse((e as MessageEvent<string>).data) as TickUpdate & { lag?: Lag };
    const { row } = update;
    if (row.tick <= lastRow()) return;
    if (row.tick === lastRow() + 1) curve.append(row);
    else void get<CurveColumns>('/api/curve').then((c) => curve.reset(c));
    addAlerts(update.alerts, true);
    showLag(update.lag);
    setTick(row.tick);
    void refreshMap();
  });
  events.addEventListener('hello', (e) => {
    const { tick } = JSON.parse((e as MessageEvent<string>).data) as { tick: number };
    if (tick > lastRow()) {
      void get<CurveColumns>('/api/curve').then((c) => curve.reset(c));
      void refreshMap();
    }
  });
  events.addEventListener('failure', (e) => fail(`following the log failed: ${JSON.parse((e as MessageEvent<string>).data).message}`));
  events.onerror = () => {
    if (events.readyState === EventSource.CONNECTING) fail('connection to the server lost; retrying…');
  };
  events.onopen = () => showLag(undefined); // clears a 'connection lost' line
  window.addEventListener('resize', () => curve.resize(Math.max(300, curveBox.clientWidth)));
  document.body.dataset.ready = 'true';
}

main().catch((error: Error) => fail(`the dashboard could not load: ${error.message}`));
