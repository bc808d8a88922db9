/**
 * `explain` in an ingested world names each person with their id in the input data, as `trace`
 * does: `(id 445)` beside each phone in the text, `sourceId` beside each `phone` in `--json`. In
 * process, on a real SQLite file made by `ingest contacts` from a hand-written list.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Explanation } from '../core/index.js';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-explain-ids-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function ok(...argv: string[]): Promise<string> {
  const r = await run(...argv);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe('explain in an ingested world', () => {
  it('shows the input ids that trace shows, in text and JSON', async () => {
    // 236 (index) meets 908 at 100 s, 908 meets 445 at 200 s; 277 meets 445 before anyone exposed 277: it stays healthy
    const list = join(dir, 'contacts.tsv');
    writeFileSync(list, '60\t277\t445\tc1\tc2\n100\t236\t908\tc1\tc2\n200\t908\t445\tc2\tc2\n');
    const store = `sqlite:${join(dir, 'ids.db')}`;
    await ok('ingest', 'contacts', list, '--index', '236', '--store', store);
    const people = JSON.parse(await ok('people', '--store', store, '--json')) as { phone: string; sourceId: string }[];
    const [p236, p908, p445] = ['236', '908', '445'].map((id) => people.find((p) => p.sourceId === id)!.phone);
    // trace names them so
    expect(await ok('trace', 'id:445', '--store', store, '--direction', 'up')).toContain(`<- ${p908} (id 908) (suspicious) exposed ${p445} (id 445)`);

    const text = (await ok('explain', 'id:445', '--store', store)).split('\n');
    expect(text[0]).toMatch(new RegExp(`^alert n-\\d+-\\d+ \\(exposure, get tested\\) to \\${p445} \\(id 445\\) \\(person \\d+\\)`));
    expect(text[1]).toMatch(new RegExp(`^1\\. \\${p908} \\(id 908\\) \\(person \\d+\\) exposed \\${p445} \\(id 445\\) \\(person \\d+\\), hop 2$`));
    expect(text[3]).toMatch(new RegExp(`^   \\${p445} \\(id 445\\) healthy -> suspicious`));
    expect(text[4]).toMatch(new RegExp(`^   source \\${p908} \\(id 908\\) then: suspicious`));
    expect(text[5]).toMatch(new RegExp(`^2\\. \\${p236} \\(id 236\\) \\(person \\d+\\) exposed \\${p908} \\(id 908\\)`));
    expect(text.find((l) => l.startsWith('index case:'))).toMatch(new RegExp(`^index case: \\${p236} \\(id 236\\) \\(person \\d+\\), infected since tick 0`));

    const e = JSON.parse(await ok('explain', p445, '--store', store, '--json')) as Explanation;
    expect(e).toMatchObject({ phone: p445, sourceId: '445' });
    expect(e.chain.map((l) => [l.source.sourceId, l.exposed.sourceId])).toEqual([['908', '445'], ['236', '908']]);
    expect(e.chain[0]!.source).toEqual({ personId: expect.any(Number), phone: p908, sourceId: '908' });
    expect(e.indexCase).toMatchObject({ phone: p236, sourceId: '236' });
  });
});
