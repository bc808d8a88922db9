/**
 * Store URLs of the EventStoreDB / KurrentDB adapter, parsed and checked without a server:
 * `esdb://`, `esdb+discover://`, `kurrentdb://`, `kurrentdb+discover://`, credentials in the URL,
 * the client's own options (`tls=false`, `defaultDeadline`, ...) and stopcovid's (`namespace`,
 * `connectTimeout`, `maxAppendSize`). The result carries a normalised `kurrentdb://` connection
 * string for the client (the client warns on `esdb://` and on options it does not know).
 * @module
 */
import { StoreError } from '../../core/index.js';

/** URL schemes served by the adapter; `+discover` means cluster discovery through DNS/gossip. */
export const ESDB_SCHEMES = ['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover'] as const;

/** One of {@link ESDB_SCHEMES}. */
export type EsdbScheme = (typeof ESDB_SCHEMES)[number];

/** A node address; the port defaults to 2113. */
export interface EsdbHost {
  host: string;
  port: number;
}

/** A parsed store URL. Durations are milliseconds, sizes bytes. */
export interface EsdbUrl {
  scheme: EsdbScheme;
  /** Cluster discovery (`+discover`): the first host is a DNS name or gossip seed. */
  discover: boolean;
  hosts: EsdbHost[];
  username?: string;
  password?: string;
  /** False with `tls=false` (a local, insecure server); the client's default is true. */
  tls: boolean;
  /** Prepended to every stream name on the server (`namespace=`; default ''): several worlds on one server. */
  namespace: string;
  /** Bound on the first contact with the server when the store opens (`connectTimeout=`, default 5000). */
  connectTimeoutMs: number;
  /** Deadline of each call (`defaultDeadline=`, the client's option, default 10000). */
  deadlineMs: number;
  /** The server's MaxAppendSize (`maxAppendSize=`, default 1 MiB): larger appends are split. */
  maxAppendBytes: number;
  /** The client's options as given, by their canonical name (values unparsed). */
  clientOptions: Record<string, string>;
  /** What the client is given: `kurrentdb[+discover]://user:password@hosts?client options`. */
  connectionString: string;
  /** The URL for messages: scheme, user and hosts, never the password. */
  display: string;
}

type Kind = 'boolean' | 'integer' | 'string' | 'nodePreference';

/** The client's connection-string options (KurrentDB Node client 1.x), by canonical name. */
const CLIENT_OPTIONS: Record<string, Kind> = {
  tls: 'boolean',
  tlsVerifyCert: 'boolean',
  tlsCAFile: 'string',
  userCertFile: 'string',
  userKeyFile: 'string',
  connectionName: 'string',
  nodePreference: 'nodePreference',
  defaultDeadline: 'integer',
  keepAliveInterval: 'integer',
  keepAliveTimeout: 'integer',
  maxDiscoverAttempts: 'integer',
  discoveryInterval: 'integer',
  gossipTimeout: 'integer',
};

/** stopcovid's own options, removed before the URL reaches the client. */
const OWN_OPTIONS: Record<string, Kind> = { namespace: 'string', connectTimeout: 'integer', maxAppendSize: 'integer' };

const NODE_PREFERENCES = ['leader', 'follower', 'random', 'readonlyreplica'];
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const DEFAULT_PORT = 2113;

/** Default of {@link EsdbUrl.maxAppendBytes}: the server's default MaxAppendSize, 1 MiB. */
export const DEFAULT_MAX_APPEND_BYTES = 1_048_576;

const flat = (key: string) => key.trim().toLowerCase().replace(/[_-]/g, '');
const byFlatName = new Map([...Object.keys(CLIENT_OPTIONS), ...Object.keys(OWN_OPTIONS)].map((k) => [flat(k), k]));

/** True when `url` starts with one of {@link ESDB_SCHEMES}. */
export function isEsdbUrl(url: string): boolean {
  return ESDB_SCHEMES.some((s) => url.toLowerCase().startsWith(`${s}://`));
}

/**
 * Parse an EventStoreDB / KurrentDB store URL, e.g. `esdb://localhost:2113?tls=false` or
 * `kurrentdb+discover://admin:changeit@cluster.example:2113?namespace=paris.`.
 * @throws StoreError (one line, password hidden) for an unknown scheme, a bad host or port,
 *   credentials without a password, an unknown option, a value of the wrong kind, or
 *   `throwOnAppendFailure` (the adapter needs the client to throw on a failed append).
 */
export function parseEsdbUrl(url: string): EsdbUrl {
  const shown = redact(url);
  const fail = (why: string): never => {
    throw new StoreError(`store URL '${shown}' ${why}`);
  };
  const head = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/is.exec(url.trim());
  if (!head) fail(`is not of the form esdb://host:port?options`);
  const scheme = head![1]!.toLowerCase() as EsdbScheme;
  if (!ESDB_SCHEMES.includes(scheme)) fail(`has scheme '${head![1]}:', expected one of ${ESDB_SCHEMES.map((s) => `${s}://`).join(', ')}`);
  let rest = head![2]!;

  const authorityEnd = rest.search(/[/?]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  rest = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  let username: string | undefined;
  let password: string | undefined;
  let hostList = authority;
  const at = authority.lastIndexOf('@');
  if (at !== -1) {
    const credentials = authority.slice(0, at);
    hostList = authority.slice(at + 1);
    const colon = credentials.indexOf(':');
    if (colon <= 0 || colon === credentials.length - 1) fail('has credentials without user or password: write user:password@host');
    username = decode(credentials.slice(0, colon), 'the user name', fail);
    password = decode(credentials.slice(colon + 1), 'the password', fail);
  }
  if (!hostList) fail('names no host');
  const hosts = hostList.split(',').map((part) => parseHost(part, fail));

  if (rest.startsWith('/')) {
    const path = rest.slice(1, rest.indexOf('?') === -1 ? undefined : rest.indexOf('?'));
    if (path) fail(`has a path '/${path}': the adapter takes options after '?', not a path`);
    rest = rest.slice(1 + path.length);
  }
  const clientOptions: Record<string, string> = {};
  const own: Record<string, string> = {};
  if (rest.startsWith('?')) {
    for (const pair of rest.slice(1).split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const rawKey = eq === -1 ? pair : pair.slice(0, eq);
      const value = eq === -1 ? '' : decode(pair.slice(eq + 1), `option ${rawKey}`, fail);
      if (flat(rawKey) === 'throwonappendfailure') fail('sets throwOnAppendFailure, which the adapter manages itself');
      const key = byFlatName.get(flat(rawKey));
      if (!key) fail(`has an unknown option '${rawKey}': known options are ${[...Object.keys(CLIENT_OPTIONS), ...Object.keys(OWN_OPTIONS)].join(', ')}`);
      const kind = (CLIENT_OPTIONS[key!] ?? OWN_OPTIONS[key!])!;
      checkValue(key!, kind, value, fail);
      if (key! in OWN_OPTIONS) own[key!] = value;
      else clientOptions[key!] = value;
    }
  }

  const namespace = own.namespace ?? '';
  if (namespace && !NAMESPACE.test(namespace)) fail(`has namespace '${namespace}': use letters, digits and . _ : - (at most 200), not starting with a symbol`);
  const connectTimeoutMs = own.connectTimeout === undefined ? 5000 : Number(own.connectTimeout);
  const maxAppendBytes = own.maxAppendSize === undefined ? DEFAULT_MAX_APPEND_BYTES : Number(own.maxAppendSize);
  const deadlineMs = clientOptions.defaultDeadline === undefined ? 10_000 : Number(clientOptions.defaultDeadline);
  if (connectTimeoutMs < 1) fail('has connectTimeout below 1 ms');
  if (deadlineMs < 1) fail('has defaultDeadline below 1 ms');
  if (maxAppendBytes < 1024) fail('has maxAppendSize below 1024 bytes');

  const discover = scheme.endsWith('+discover');
  const hostText = hosts.map((h) => `${h.host}:${h.port}`).join(',');
  const query = Object.entries(clientOptions)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  const credentials = username === undefined ? '' : `${encodeURIComponent(username)}:${encodeURIComponent(password!)}@`;
  return {
    scheme,
    discover,
    hosts,
    username,
    password,
    tls: clientOptions.tls !== 'false',
    namespace,
    connectTimeoutMs,
    deadlineMs,
    maxAppendBytes,
    clientOptions,
    connectionString: `${discover ? 'kurrentdb+discover' : 'kurrentdb'}://${credentials}${hostText}${query ? `?${query}` : ''}`,
    display: `${scheme}://${username === undefined ? '' : `${username}@`}${hostText}`,
  };
}

/** `url` with the password replaced by `***`, for messages. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?]*:)[^@/?]*@/i, '$1***@').replace(/\s+/g, ' ');
}

function parseHost(part: string, fail: (why: string) => never): EsdbHost {
  const text = part.trim();
  if (!text) fail('has an empty host in its host list');
  if (text.includes('[')) fail(`has host '${text}': IPv6 literals are not supported, use a host name`);
  const colon = text.lastIndexOf(':');
  const host = colon === -1 ? text : text.slice(0, colon);
  const portText = colon === -1 ? String(DEFAULT_PORT) : text.slice(colon + 1);
  if (!host || /[\s@$+!?*'();[\]{}|"%~#<>=&]/.test(host)) fail(`has a bad host '${host}'`);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) fail(`has a bad port '${portText}' for host ${host}`);
  return { host, port };
}

function checkValue(key: string, kind: Kind, value: string, fail: (why: string) => never): void {
  if (value === '') fail(`has option ${key} without a value`);
  if (kind === 'boolean' && value !== 'true' && value !== 'false') fail(`has ${key}=${value}: expected true or false`);
  if (kind === 'integer' && !/^\d{1,12}$/.test(value)) fail(`has ${key}=${value}: expected a whole number`);
  if (kind === 'nodePreference' && !NODE_PREFERENCES.includes(flat(value))) fail(`has ${key}=${value}: expected leader, follower, random or readOnlyReplica`);
}

function decode(text: string, what: string, fail: (why: string) => never): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return fail(`has a malformed %-escape in ${what}`);
  }
}
