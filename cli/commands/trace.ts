import { Args, Flags } from '@oclif/core';
import { asOf, trace, type Bitemporal, type Direction, type Trace, type TraceLink } from '../../core/index.js';
import { count } from '../flags.js';
import { counted } from '../../web/plural.js';
import { BaseCommand, noWorld, oneOutput } from '../base.js';
import { personQuery } from '../phone.js';
import { inZone, tz } from '../time.js';
import { bitemporal, timeTravelFlags } from '../timeTravel.js';
import { chainDot } from '../../web/chain/dot.js';
import { chainFromTrace } from '../../web/chain/fromTrace.js';
import { chainMermaid } from '../../web/chain/mermaid.js';
import { chainSvg } from '../../web/chain/svg.js';

const STATUS = ['healthy', 'suspicious', 'infected'];

/** `stopcovid trace <phone>`: the contact chain of one person. */
export default class TraceCommand extends BaseCommand {
  static override summary = "Show a phone number's contact chain: who exposed them, and whom they exposed.";
  static override description = `Upstream follows the person's exposure to its source, that source's own exposure, and so on back to an index case (a person whose status did not come from a contact). Downstream lists everyone the person exposed, directly or through others. Each link shows phone, tick, simulated time, the exposed person's cell and statuses.

The phone may be written in any common form: +33612345678, 0612345678, +33 6 12 34 56 78, 33612345678; national forms are read in --region. A number without '+' that would land in another country than --region (004-92-58-76-11 in FR: 00 is France's international call prefix, making it German) is refused with the reason; write it with '+'.

In a world made by 'stopcovid ingest', people without a phone have a placeholder +999 followed by 9 digits (country code 999 is reserved); it is accepted as written. A person may also be named by their id in the input data as id:<id> (e.g. id:445 for a SocioPatterns id, id:abboip for a cab).

Time travel, on two independent axes: --at-tick T shows the chain as it was at tick T (valid time; a retroactive exposure counts from its contact's tick), --as-known-at-tick K as the system knew it at tick K (recorded time; an exposure decided after K is left out). A retroactive alert decided at tick 15 for a contact at tick 10 is in the chain at tick 12 as known at 15, not as known at 12.`

  static override examples = [
    '<%= config.bin %> trace 0672129940',
    '<%= config.bin %> trace "+33 6 72 12 99 40" --direction up',
    '<%= config.bin %> trace +33672129940 --depth 2 --format json',
    '<%= config.bin %> trace +33672129940 --format svg > chain.svg',
    '<%= config.bin %> trace +33672129940 --format dot | dot -Tpng > chain.png',
    '<%= config.bin %> trace +999000000042 --store sqlite:./highschool.db',
    '<%= config.bin %> trace id:445 --store sqlite:./highschool.db',
    '<%= config.bin %> trace +33672129940 --at-tick 12 --as-known-at-tick 15',
  ];

  static override args = {
    phone: Args.string({ description: 'Phone number of the person to trace (or, in an ingested world, a +999 placeholder or id:<id>).', required: true }),
  };

  static override flags = {
    direction: Flags.string({ summary: 'Which way to follow exposures.', options: ['up', 'down', 'both'], default: 'both' }),
    depth: count({ summary: 'Most links to follow each way.', min: 1, default: 10 }),
    format: Flags.string({ summary: 'Output format: text tree, JSON, or a picture (Graphviz DOT, Mermaid flowchart, SVG on a time axis).', options: ['tree', 'json', 'dot', 'mermaid', 'svg'], default: 'tree' }),
    region: Flags.string({ summary: 'Country for national phone forms (ISO code).', default: 'FR', env: 'STOPCOVID_REGION' }),
    tz: tz({ summary: 'Show times in this time zone (IANA name, e.g. Europe/Paris); JSON output stays in UTC. [default: the zone an ingested world was bucketed in (ingest --tz), else UTC]' }),
    ...timeTravelFlags,
  };

  async run(): Promise<TraceResult> {
    const { args, flags } = await this.parse(TraceCommand);
    oneOutput(this.jsonEnabled(), flags.format, ['tree', 'json']);
    const query = personQuery(args.phone, flags.region);
    const store = await this.store(flags.store, false);
    const models = await this.readModels(store, flags);
    const world = models.world();
    if (world.tick < 0) throw noWorld(flags.store);
    const place = placeOf(world);
    const personId = this.person(models, query);
    const at = bitemporal(flags, world.tick);
    const graph = at ? asOf(models.traceSource(), models.history(), at) : models.traceSource();
    // the person's last status change (now, not as of a past tick): a retraction or a release says why they are healthy
    const since = at ? undefined : models.person(personId)?.lastChange;
    const traced: TraceResult = { ...trace(graph, personId, flags.direction as Direction, flags.depth), ...(at ? { asOf: at } : {}), ...(since ? { lastChange: { tick: since.tick, reason: since.reason } } : {}) };
    const result = placeless(traced, place);
    if (!this.jsonEnabled()) {
      if (flags.format === 'json') this.log(JSON.stringify(result, null, 2));
      else if (flags.format === 'dot') process.stdout.write(chainDot(chainFromTrace(traced)));
      else if (flags.format === 'mermaid') process.stdout.write(chainMermaid(chainFromTrace(traced)));
      else if (flags.format === 'svg') process.stdout.write(`${chainSvg(chainFromTrace(traced), { title: `contact chain of ${traced.phone}` })}\n`);
      else this.log(render(traced, place, flags.tz ?? world.ingest?.timeZone ?? 'UTC').join('\n'));
    }
    return result;
  }
}

/**
 * How a link's place reads: a grid `cell` (simulation), `metres` east and north on an ingested GPS
 * world's projection, or `none` for an ingested contact list (no positions).
 */
export type Place = 'cell' | 'metres' | 'none';

/** How `world` places people: grid cells (a simulation), metres (GPS traces), or nowhere (contact lists). */
export function placeOf(world: { ingest?: { source: string } | null }): Place {
  return world.ingest ? (world.ingest.source === 'positions' ? 'metres' : 'none') : 'cell';
}

/**
 * `value` as JSON should show it in a world placed as `place`: a contact list has no positions, so
 * every `cell` (and a contact's `distance`) the read models hold for it is a placeholder (0, 0)
 * that would read as a real place; it is left out, as the text output leaves it out.
 * @example placeless({ cell: { x: 0, y: 0 }, tick: 3 }, 'none') // { tick: 3 }
 */
export function placeless<T>(value: T, place: Place): T {
  if (place !== 'none') return value;
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'cell' && k !== 'distance').map(([k, x]) => [k, strip(x)]));
  };
  return strip(value) as T;
}

/** A phone as the tracer reads it: with the person's id in the input data, `(id 445)`, in an ingested world. */
export function who(phone: string, sourceId: string | undefined): string {
  return `${phone}${sourceId !== undefined ? ` (id ${sourceId})` : ''}`;
}

/** Where and when an exposure happened: tick, simulated time (in `zone`), the exposed person's position. */
function when(l: TraceLink, place: Place, zone: string): string {
  const where = place === 'cell' ? ` in cell (${l.cell.x},${l.cell.y})` : place === 'metres' ? ` at (${l.cell.x} m, ${l.cell.y} m)` : '';
  // a retroactive alert: decided at `tick`, for a contact at `contactTick`; the cell is the person's when it was
  // decided, not the contact's (`explain` tells that one), and the line says so
  if (l.contactTick !== undefined) return `for a contact at tick ${l.contactTick}, alerted retroactively at tick ${l.tick} (${inZone(l.at, zone)})${where ? `,${where} when alerted` : ''}`;
  return `at tick ${l.tick} (${inZone(l.at, zone)})${where}`;
}

/** What `trace --json` prints: the trace, the point in time it was taken at (`--at-tick`, `--as-known-at-tick`), and, for now, the person's last status change. */
export type TraceResult = Trace & { asOf?: Bitemporal; lastChange?: { tick: number; reason: string } };

/** Render a trace as indented text lines; `place` says how to show a link's position, `zone` (IANA) how to show times. */
export function render(t: TraceResult, place: Place = 'cell', zone = 'UTC'): string[] {
  const hop = t.tests && t.tests.hops > 0 ? `  (hop ${t.tests.hops} from the index case)` : '';
  const lines = t.asOf ? [`at tick ${t.asOf.tick}, as known at tick ${t.asOf.knownAt}:`] : [];
  const since = t.lastChange ? ` since tick ${t.lastChange.tick} (${t.lastChange.reason})` : '';
  lines.push(`${t.phone}${t.sourceId !== undefined ? ` (id ${t.sourceId})` : ''}  person ${t.personId}  ${STATUS[t.status]}${since}${t.indexCase ? '  (index case)' : hop}`);
  if (t.tests && (t.tests.taken > 0 || t.tests.releases > 0)) {
    const { taken, positives, negatives, last, releases, expiries } = t.tests;
    // a revocation is recorded as a test result of its own (`revoked`): counted apart, so that the parts add up
    const revoked = taken - positives - negatives;
    lines.push(`tests: ${taken} (${positives} positive, ${negatives} negative${revoked > 0 ? `, ${revoked} revoked` : ''})${last ? `, last ${last.result} at tick ${last.tick}` : ''}${releases > 0 ? `; released ${counted(releases, 'time')}${expiries > 0 ? ` (${expiries} by expiry)` : ''}` : ''}`);
  }
  if (t.upstream) {
    lines.push(`upstream (who exposed this person, nearest first):`);
    if (t.upstream.length === 0) lines.push(t.indexCase ? '  none: an index case' : '  none: never exposed by a contact');
    // link i: its person (the source, then status 1 or 2) exposed the person of link i - 1 (or the traced person)
    t.upstream.forEach((l, i) => {
      const exposed = i === 0 ? who(t.phone, t.sourceId) : who(t.upstream![i - 1]!.phone, t.upstream![i - 1]!.sourceId);
      lines.push(`${'  '.repeat(i + 1)}<- ${who(l.phone, l.sourceId)} (${STATUS[l.sourceStatus]}${l.indexCase ? ', index case' : ''}) exposed ${exposed} ${when(l, place, zone)}${l.hops !== undefined ? ` (hop ${l.hops})` : ''}`);
    });
    if (t.upstreamTruncated) lines.push(`${'  '.repeat(t.upstream.length + 1)}... (--depth reached)`);
  }
  if (t.downstream) {
    lines.push(`downstream (whom this person exposed): ${counted(t.downstreamCount ?? 0, 'person', 'people')}${t.downstreamTruncated ? ' within --depth, more beyond it' : ''}`);
    const walk = (links: TraceLink[], level: number) => {
      for (const l of links) {
        lines.push(`${'  '.repeat(level)}-> ${who(l.phone, l.sourceId)} exposed ${when(l, place, zone)}${l.hops !== undefined ? ` (hop ${l.hops})` : ''}`);
        walk(l.children ?? [], level + 1);
      }
    };
    walk(t.downstream, 1);
  }
  return lines;
}
