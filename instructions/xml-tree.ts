/**
 * A small, typed tree over fast-xml-parser's ordered output: elements keep
 * their attributes, their children in document order and their location.
 */
export interface XmlText {
  readonly kind: 'text';
  readonly text: string;
}

export interface XmlElement {
  readonly kind: 'element';
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
  /** XPath-like location, e.g. `/Response/Gather[1]/Say[2]`. */
  readonly path: string;
}

export type XmlNode = XmlElement | XmlText;

/** One entry of fast-xml-parser's `preserveOrder` output. */
export type OrderedEntry = Record<string, unknown>;

const TEXT_KEY = '#text';
const ATTRIBUTES_KEY = ':@';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readAttributes(entry: OrderedEntry): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const raw = entry[ATTRIBUTES_KEY];
  if (!isRecord(raw)) return out;
  for (const [name, value] of Object.entries(raw)) {
    out[name] = typeof value === 'string' ? value : String(value);
  }
  return out;
}

/** Converts ordered entries into nodes; processing instructions (`?xml`) are dropped. */
export function toXmlNodes(entries: readonly unknown[], parentPath: string): XmlNode[] {
  const nodes: XmlNode[] = [];
  const seen = new Map<string, number>();
  for (const entry of entries) {
    if (!isRecord(entry)) continue;
    const name = Object.keys(entry).find((k) => k !== ATTRIBUTES_KEY);
    if (name === undefined) continue;
    if (name === TEXT_KEY) {
      const value = entry[TEXT_KEY];
      nodes.push({ kind: 'text', text: typeof value === 'string' ? value : String(value) });
      continue;
    }
    if (name.startsWith('?')) continue;
    const index = (seen.get(name) ?? 0) + 1;
    seen.set(name, index);
    const path = `${parentPath}/${name}[${index}]`;
    const content = entry[name];
    nodes.push({
      kind: 'element',
      name,
      attributes: readAttributes(entry),
      children: Array.isArray(content) ? toXmlNodes(content, path) : [],
      path,
    });
  }
  return nodes;
}

export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => c.kind === 'element');
}

/** Text directly inside `el` (not inside its child elements). */
export function ownText(el: XmlElement): string {
  let text = '';
  for (const c of el.children) if (c.kind === 'text') text += c.text;
  return text;
}

/** All text inside `el`, its descendants included, in document order. */
export function deepText(el: XmlElement): string {
  let text = '';
  for (const c of el.children) text += c.kind === 'text' ? c.text : deepText(c);
  return text;
}
