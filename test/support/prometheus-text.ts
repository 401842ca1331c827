/**
 * A strict reader of Prometheus's text exposition format (version 0.0.4):
 * every sample belongs to a family announced by # HELP and # TYPE, names and
 * labels are well formed, values are numbers; anything else throws, naming
 * the line.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
}

export interface Exposition {
  families: Map<string, Family>;
  samples: Sample[];
  /** The sum of the samples named `name` whose labels include `labels`. */
  value(name: string, labels?: Record<string, string>): number;
  /** Whether any sample is named `name`. */
  has(name: string): boolean;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, readonly string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count', ''] };

export function parsePrometheusText(text: string): Exposition {
  const families = new Map<string, Family>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  text.split('\n').forEach((line, i) => {
    const fail = (why: string): never => {
      throw new Error(`line ${i + 1}: ${why}: ${line}`);
    };
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) fail('bad metric name');
      if (kind === 'HELP') help.set(name, rest);
      else {
        if (!TYPES.has(rest)) fail('bad type');
        if (families.has(name)) fail('type given twice');
        families.set(name, { name, help: help.get(name) ?? fail('TYPE before HELP'), type: rest as Family['type'] });
      }
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
    if (!m) fail('not a sample');
    const [, name, , body, raw] = m as unknown as [string, string, string | undefined, string | undefined, string];
    const labels: Record<string, string> = {};
    let rest = body ?? '';
    while (rest.length > 0) {
      const l = /^([^=]+)="((?:[^"\\]|\\.)*)"(,|$)/.exec(rest);
      if (!l) fail('bad labels');
      const [whole, key, value] = l as unknown as [string, string, string];
      if (!LABEL_NAME.test(key)) fail('bad label name');
      labels[key] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(whole.length);
    }
    // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan").
    const special = /^([+-]?)(inf|nan)$/i.exec(raw);
    const value = special ? (special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity) : Number(raw);
    if (!special && (raw.trim() === '' || Number.isNaN(value))) fail('bad value');
    const family = familyOf(name, families);
    if (!family) fail('sample of no announced family');
    samples.push({ name, labels, value });
  });
  const matches = (s: Sample, labels: Record<string, string>): boolean => Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  return {
    families,
    samples,
    value: (name, labels = {}) => samples.filter((s) => s.name === name && matches(s, labels)).reduce((a, s) => a + s.value, 0),
    has: (name) => samples.some((s) => s.name === name),
  };
}

function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  const exact = families.get(sample);
  if (exact) return exact;
  for (const [name, family] of families) {
    const suffixes = SUFFIXES[family.type] ?? [];
    if (suffixes.some((s) => s !== '' && sample === name + s)) return family;
  }
  return undefined;
}
