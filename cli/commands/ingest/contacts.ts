import { Args } from '@oclif/core';
import { bucket, IngestCommand, ingestFlags, Progress, type IngestResult } from '../../ingest/command.js';
import { Invalid } from '../../ingest/source.js';
import { ContactRows, readContacts } from '../../ingest/contacts.js';
import { IdTable } from '../../ingest/people.js';

/** `stopcovid ingest contacts <file>`: a SocioPatterns contact list into a new world. */
export default class IngestContacts extends IngestCommand {
  static override summary = 'Ingest a SocioPatterns contact list (t i j per line) into a new world.';
  static override description = `Each line is one contact: t i j, separated by spaces or tabs, extra columns ignored (SocioPatterns format, https://www.sociopatterns.org/datasets/): t in seconds, the contact active during [t-20, t]; i and j are person ids. gzip files are read as such.

Contacts are grouped into time buckets of --bucket (one tick each, written as stream stopcovid.tick-<t>): tick t covers (start + (t-1)*bucket, start + t*bucket], aligned on midnight in --tz (default UTC): with --bucket 1d and --tz Europe/Paris, a tick is a local day. Each line becomes a ContactDetected in its bucket and stands for --record of contact time (20 s by default): under a policy with a minimum contact time (tousanticovid: 15 minutes within a day), a pair's lines add up, within a bucket and across buckets, so its contact time does not depend on --bucket. Index cases (--index, --statuses) are set at tick 0; then, bucket by bucket, a contact with a person whose status was >= 1 at the start of the bucket makes a healthy person suspicious (1) and notifies them, as in the simulation. So contacts before a person was exposed never pass exposure on: exposure follows time-respecting paths only.

Times must not go back (SocioPatterns files are sorted by time): such a line is refused like any bad line (fewer than 3 columns, a time that is not a number, i = j, a person id that is not a whole number when the file's first id is one, as in SocioPatterns files). A bad line or an empty file stops the ingestion before anything is written, with file and line; --skip-invalid skips them and reports how many. LF and CRLF line ends are both read.

People are numbered in the order of their ids (numerically when all are integers; a list that starts with another id, like A, may name people by any word). Without --phones, each person gets a placeholder phone +999 followed by 9 digits (country code 999 is reserved: no one can be called on it); trace accepts it as typed, or the input id as id:<id>. The store must hold no world yet.

A SQLite store (sqlite:<file>) is written to a temporary file beside it (.<name>.partial-<pid>) that takes the store's name only when the whole world is in it: Ctrl-C (SIGINT) or SIGTERM stops after the tick being written, removes it and exits 130 (143 for SIGTERM), and even a killed ingest leaves no partial world under the store's name. Other stores get the ticks one by one: an interrupted ingest leaves the first ticks there, and says so.`;

  static override examples = [
    '<%= config.bin %> ingest contacts ../shared/data/sociopatterns-highschool-2013/HighSchool2013_proximity_net.csv.gz --index 1 --store sqlite:./highschool.db',
    '<%= config.bin %> ingest contacts hospital_lyon_contacts.dat.gz --epoch 2010-12-06T12:00:00Z --index 1157,1295 --bucket 1m --json',
    '<%= config.bin %> ingest contacts contacts.txt --statuses statuses.csv --phones phones.csv --skip-invalid',
  ];

  static override args = {
    file: Args.string({ description: 'The contact list (plain or gzip).', required: true }),
  };

  static override flags = {
    bucket: bucket({ summary: 'Length of a time bucket (one tick), with a unit: 20s, 1m, 1h.', default: 20_000, defaultHelp: async () => '20s' }),
    record: bucket({ summary: "Contact time one line stands for, with a unit (SocioPatterns' resolution: 20s). A policy's minimum contact time counts lines of this length, whatever --bucket.", default: 20_000, defaultHelp: async () => '20s' }),
    ...ingestFlags,
  };

  async run(): Promise<IngestResult> {
    const { args, flags } = await this.parse(IngestContacts);
    const started = performance.now();
    const progress = new Progress();
    const invalid = new Invalid(flags['skip-invalid']);
    const table = new IdTable();
    const rows = new ContactRows();
    const count = await readContacts(args.file, table, flags.epoch, rows, invalid, (n) => progress.update(`reading ${args.file}: ${n} rows`, n));
    const result = await this.ingest(flags.store, table, flags, flags.bucket, (people) => rows.records(people.remap, flags.record), [count], invalid, progress, started);
    this.report(result, flags.store);
    return result;
  }
}
