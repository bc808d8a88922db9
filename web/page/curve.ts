/**
 * The epidemic curve with uPlot: people per status per tick, stacked (healthy at the top, then
 * suspicious, infected at the bottom), and below it the new exposures, alerts and contacts per tick.
 * Shared by the dashboard and the report.
 * @module
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { STATUS_COLOURS, STATUS_NAMES } from '../chain/palette.js';

/** The curve by column, as `GET /api/curve` sends it. */
export interface CurveColumns {
  tick: number[];
  at: string[];
  healthy: number[];
  suspicious: number[];
  infected: number[];
  contacts: number[];
  exposures: number[];
  notifications: number[];
}

/** A row of the curve, as a live update carries it. */
export type CurveRowData = { [K in keyof CurveColumns]: CurveColumns[K][number] };

/** The two charts and the line that states the last point. */
export class CurveView {
  private readonly stacked: uPlot;
  private readonly flows: uPlot;

  constructor(
    private columns: CurveColumns,
    stackedBox: HTMLElement,
    flowsBox: HTMLElement,
    private readonly lastLine: HTMLElement,
    width: number,
  ) {
    const raw = () => [this.columns.healthy, this.columns.suspicious, this.columns.infected];
    // series 1 is everyone (drawn first, in the healthy colour), 2 suspicious + infected, 3 infected
    const stackedSeries = [0, 1, 2].map((s): uPlot.Series => ({
      label: STATUS_NAMES[s],
      stroke: STATUS_COLOURS[s],
      fill: STATUS_COLOURS[s],
      width: 1,
      points: { show: false },
      // legend shows the status's own count, not the stacked sum
      value: (_u, _v, _si, idx) => (idx === null || idx === undefined ? '--' : String(raw()[s]![idx] ?? '--')),
    }));
    const sync = uPlot.sync('curve');
    // ticks and people are whole numbers: no 2.5 on an axis
    const whole = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1e6, 2e6, 5e6, 1e7];
    const tickAxis: uPlot.Axis = { label: 'tick', incrs: whole };
    this.stacked = new uPlot(
      {
        width,
        height: 240,
        cursor: { sync: { key: sync.key } },
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [tickAxis, { label: 'people', size: 60, incrs: whole }],
        series: [{ label: 'tick' }, ...stackedSeries],
      },
      this.stackedData(),
      stackedBox,
    );
    this.flows = new uPlot(
      {
        width,
        height: 160,
        cursor: { sync: { key: sync.key } },
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] }, c: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [tickAxis, { label: 'per tick', size: 60, incrs: whole }, { scale: 'c', side: 1, label: 'contacts', size: 60, grid: { show: false }, incrs: whole }],
        series: [
          { label: 'tick' },
          { label: 'new exposures', stroke: '#d55e00', width: 1.5, points: { show: false } },
          { label: 'alerts', stroke: '#0072b2', width: 1.5, dash: [4, 3], points: { show: false } },
          { label: 'contacts', stroke: '#999999', width: 1, scale: 'c', points: { show: false } },
        ],
      },
      this.flowsData(),
      flowsBox,
    );
    this.writeLast();
  }

  /** The last tick drawn, -1 when none. */
  get lastTick(): number {
    return this.columns.tick[this.columns.tick.length - 1] ?? -1;
  }

  /** Replace every point. */
  reset(columns: CurveColumns): void {
    this.columns = columns;
    this.redraw();
  }

  /** Add one tick's row at the end. */
  append(row: CurveRowData): void {
    for (const key of Object.keys(this.columns) as (keyof CurveColumns)[]) (this.columns[key] as unknown[]).push(row[key]);
    this.redraw();
  }

  /** Fit the charts to `width` pixels. */
  resize(width: number): void {
    this.stacked.setSize({ width, height: 240 });
    this.flows.setSize({ width, height: 160 });
  }

  private redraw(): void {
    this.stacked.setData(this.stackedData());
    this.flows.setData(this.flowsData());
    this.writeLast();
  }

  private stackedData(): uPlot.AlignedData {
    const { tick, healthy, suspicious, infected } = this.columns;
    const n = tick.length;
    const total = new Array<number>(n);
    const sick = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      sick[i] = suspicious[i]! + infected[i]!;
      total[i] = sick[i]! + healthy[i]!;
    }
    return [tick, total, sick, infected.slice()];
  }

  private flowsData(): uPlot.AlignedData {
    const { tick, exposures, notifications, contacts } = this.columns;
    return [tick, exposures.slice(), notifications.slice(), contacts.slice()];
  }

  private writeLast(): void {
    const c = this.columns;
    const i = c.tick.length - 1;
    const line = this.lastLine;
    if (i < 0) {
      line.textContent = 'no tick yet';
      return;
    }
    line.dataset.tick = String(c.tick[i]);
    line.dataset.healthy = String(c.healthy[i]);
    line.dataset.suspicious = String(c.suspicious[i]);
    line.dataset.infected = String(c.infected[i]);
    line.textContent = `tick ${c.tick[i]} (${c.at[i]}): healthy ${c.healthy[i]} · suspicious ${c.suspicious[i]} · infected ${c.infected[i]} · contacts ${c.contacts[i]} · new exposures ${c.exposures[i]} · alerts ${c.notifications[i]}`;
  }
}
