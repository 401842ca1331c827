import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** An XML element as plain data: its name, attributes, text and child elements in order. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlElement[];
}

export class XmlSyntaxError extends Error {}

type OrderedNode = Record<string, unknown>;

/**
 * Parses an XML document into an element tree (comments dropped, text
 * trimmed, attribute values kept as strings). A document that is not
 * well-formed throws XmlSyntaxError with the line and column.
 */
export function parseXmlTree(text: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new XmlSyntaxError(`malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    preserveOrder: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
  });
  const nodes = parser.parse(text) as OrderedNode[];
  const roots = nodes.map(toElement).filter((e): e is XmlElement => e !== undefined);
  if (roots.length !== 1) throw new XmlSyntaxError(`expected one root element, found ${roots.length}`);
  return roots[0];
}

function toElement(node: OrderedNode): XmlElement | undefined {
  const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text');
  if (name === undefined) return undefined;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries((node[':@'] as Record<string, unknown> | undefined) ?? {})) attrs[k] = String(v);
  const content = (node[name] as OrderedNode[] | undefined) ?? [];
  const texts: string[] = [];
  const children: XmlElement[] = [];
  for (const child of content) {
    if ('#text' in child) texts.push(String(child['#text']));
    else {
      const e = toElement(child);
      if (e) children.push(e);
    }
  }
  return { name, attrs, text: texts.join('').trim(), children };
}
