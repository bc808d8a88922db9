/**
 * Policies from files (JSON or YAML) and presets: `--policy <preset|file>` and `policy set <file>`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Policy, type Policy as PolicyType } from '../../events/index.js';
import { POLICY_PRESETS } from '../../core/index.js';

/** A policy file that cannot be read or does not validate; `message` is one line naming the file and the field. */
export class PolicyFileError extends Error {
  readonly code = 'INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'PolicyFileError';
  }
}

/** A policy and where it came from (`preset:<name>` or `file:<base name>`), as `PolicyAdopted` records it. */
export interface PolicySource {
  policy: PolicyType;
  source: string;
}

/**
 * The policy named by `spec`: a preset name (`seed`, `tousanticovid`) or the path of a JSON or
 * YAML file (`.json`, `.yaml`, `.yml`; any other name is read as YAML, a superset of JSON).
 * Missing fields take the seed's values; a file without `name` is named after the file.
 * @throws PolicyFileError for an unreadable file, a syntax error, an unknown field or a value out of range.
 */
export function loadPolicy(spec: string): PolicySource {
  const preset = POLICY_PRESETS[spec];
  if (preset) return { policy: preset, source: `preset:${spec}` };
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new PolicyFileError(
      code === 'ENOENT' ? `policy '${spec}' is neither a preset (${Object.keys(POLICY_PRESETS).join(', ')}) nor a file` : `cannot read policy file ${spec}: ${(error as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = /\.json$/i.test(spec) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new PolicyFileError(`policy file ${spec} is not valid ${/\.json$/i.test(spec) ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new PolicyFileError(`policy file ${spec} must hold an object of policy fields`);
  const name = basename(spec).replace(/\.(json|ya?ml)$/i, '');
  const parsed = Policy.safeParse({ name, ...(raw as object) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.map(String).join('.');
    throw new PolicyFileError(`policy file ${spec}: ${where ? `${where}: ` : ''}${issue.message}`);
  }
  return { policy: parsed.data, source: `file:${basename(spec)}` };
}
