import { BaseCommand, noWorld } from '../base.js';
import type { PersonView } from '../../adapters/readmodels/sqlite.js';
import { placeless, placeOf } from './trace.js';
import { count } from '../flags.js';

const STATUS = ['healthy', 'suspicious', 'infected'];

/** `stopcovid people`: list people from the people read model. */
export default class People extends BaseCommand {
  static override summary = 'List the people of the world: phone, status, place (a cell, or metres for GPS traces) and last status change.';
  static override description = 'Reads the people read model (never the log), by person id. Use it to find a phone to trace.';

  static override examples = ['<%= config.bin %> people --limit 5', '<%= config.bin %> people --status 2 --json'];

  static override flags = {
    status: count({ summary: 'Only people of this status: 0 healthy, 1 suspicious, 2 infected.', min: 0, max: 2 }),
    limit: count({ summary: 'Most people to list.', default: 20, min: 1 }),
    offset: count({ summary: 'Skip this many people first.', default: 0, min: 0 }),
  };

  async run(): Promise<PersonView[]> {
    const { flags } = await this.parse(People);
    const store = await this.store(flags.store, false);
    const models = await this.readModels(store, flags);
    if (models.world().tick < 0) throw noWorld(flags.store);
    const people = models.people({ status: flags.status, limit: flags.limit, offset: flags.offset });
    // nobody to list is an answer, not an error: said on stderr so that stdout stays the list
    if (people.length === 0 && !this.jsonEnabled()) process.stderr.write(`no people${flags.status !== undefined ? ` of status ${flags.status}` : ''}${flags.offset > 0 ? ` after the first ${flags.offset}` : ''} in this world\n`);
    // where a person is, in the world's units: a cell, metres, or nothing for a contact list
    const place = placeOf(models.world());
    if (!this.jsonEnabled())
      for (const p of people) {
        const last = p.lastChange ? `  since tick ${p.lastChange.tick} (${p.lastChange.reason})` : '';
        const where = place === 'cell' ? `  cell (${p.cell.x},${p.cell.y})` : place === 'metres' ? `  at (${p.cell.x} m, ${p.cell.y} m)` : '';
        this.log(`${p.phone}${p.sourceId !== undefined ? ` (id ${p.sourceId})` : ''}  person ${p.personId}  ${STATUS[p.status]}${where}${last}`);
      }
    return placeless(people, place);
  }
}
