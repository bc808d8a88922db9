/**
 * Child process of benchmark 7: build a world of `argv[2]` people (tick 0) and run 3 ticks with
 * events (runs of columns, as `simulate` makes them) sent to a no-op sink, then print
 * resident-memory figures as JSON. A separate process, so that the peak belongs to this world alone.
 * @module
 */
import { DEFAULT_PARAMS, eventCount, genesisColumnar, scratch, stepTickColumnar } from '../core/index.js';

const people = Number(process.argv[2] ?? 1_000_000);
const baseline = process.memoryUsage().rss;
const side = Math.round(Math.sqrt(people * 100));
// as `simulate` runs the kernel: registrations and moves as runs of columns
const world = genesisColumnar({ ...DEFAULT_PARAMS, people, width: side, height: side });
let sink = eventCount(world.events);
world.events.length = 0;
const buffers = scratch();
for (let t = 0; t < 3; t++) sink += eventCount(stepTickColumnar(world.state, buffers).events);
const settled = process.memoryUsage().rss;
const peak = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ people, baseline, peak, settled, sink }));
