/** Deno entry of the three-runtime test: `deno run bundle.js <people> <ticks>` prints a {@link SeededLog} as JSON. */
import { seededLog } from '../seededLog.js';

declare const Deno: { args: string[] };
console.log(JSON.stringify(await seededLog(Number(Deno.args[0]), Number(Deno.args[1]))));
