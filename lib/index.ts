/**
 * The stopcovid library (`import … from 'stopcovid'`): the domain (`stopcovid/core`), the event
 * model (`stopcovid/events`), the store and bus registry (`stopcovid/registry`) and the
 * in-memory store (`stopcovid/adapters/memory`). Importing it loads neither SQLite, Kafka nor
 * oclif: the `sqlite:` store and the `kafka://` bus are loaded on first use by `openStore` /
 * `openBus`, or imported directly from `stopcovid/adapters/sqlite` and `stopcovid/adapters/kafka`.
 * @example
 * import { DEFAULT_PARAMS, genesis, stepTick, openStore } from 'stopcovid';
 * const store = await openStore('memory:');
 * @module
 */
export * from '../core/index.js';
export * from '../events/index.js';
export * from '../adapters/registry.js';
export * from '../adapters/store/memory.js';
