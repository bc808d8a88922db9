import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEED_POLICY, TOUSANTICOVID_POLICY } from '../../core/index.js';
import { loadPolicy } from './file.js';

const dir = mkdtempSync(join(tmpdir(), 'policy-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('loadPolicy', () => {
  it('reads presets by name', () => {
    expect(loadPolicy('seed')).toEqual({ policy: SEED_POLICY, source: 'preset:seed' });
    expect(loadPolicy('tousanticovid').policy).toEqual(TOUSANTICOVID_POLICY);
  });

  it('reads YAML and JSON, missing fields from the seed, named after the file', () => {
    const yaml = loadPolicy(file('strict.yaml', 'maxHops: 1\nexposingStatuses: [2]\ncontact:\n  minMinutes: 15\n'));
    expect(yaml.source).toBe('file:strict.yaml');
    expect(yaml.policy).toEqual({ ...SEED_POLICY, name: 'strict', maxHops: 1, exposingStatuses: [2], contact: { ...SEED_POLICY.contact, minMinutes: 15 } });
    expect(loadPolicy(file('p.json', '{"name": "mine", "retroactiveMinutes": 60}')).policy).toMatchObject({ name: 'mine', retroactiveMinutes: 60 });
  });

  it('refuses bad files with one line naming the field', () => {
    expect(() => loadPolicy(join(dir, 'missing.yaml'))).toThrow(/^policy '.*missing.yaml' is neither a preset \(seed, tousanticovid\) nor a file$/);
    expect(() => loadPolicy(file('bad.json', '{'))).toThrow(/is not valid JSON/);
    expect(() => loadPolicy(file('range.yaml', 'testing:\n  sensitivity: 1.5\n'))).toThrow(/^policy file .*range.yaml: testing.sensitivity: /);
    expect(() => loadPolicy(file('typo.yaml', 'maxHop: 1\n'))).toThrow(/maxHop/);
    expect(() => loadPolicy(file('list.yaml', '- 1\n'))).toThrow(/must hold an object/);
    expect(() => loadPolicy(file('never.yaml', 'contact:\n  minMinutes: 2000\n  windowMinutes: 10\n'))).toThrow(/contact.minMinutes: minMinutes is larger than windowMinutes/);
  });
});
