import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ParseContext } from './context.js';
import { DOCUMENT_PARSE_FAILURE, InstructionError, type InstructionWarning } from './errors.js';
import { isVerbName, VERB_PARSERS, type Verb } from './verbs/index.js';
import { xmlEntityDecoder } from './xml-entities.js';
import { childElements, ownText, toXmlNodes, type XmlElement } from './xml-tree.js';

/** A validated instructions document: its verbs in document order. */
export interface InstructionDocument {
  readonly verbs: readonly Verb[];
  /** Things that were ignored (unknown attributes, unsupported options). */
  readonly warnings: readonly InstructionWarning[];
  /** The URL the document came from, when known. */
  readonly baseUrl?: string;
}

export interface ParseOptions {
  /** The document's URL; relative URLs inside it are resolved against it. */
  baseUrl?: string;
}

/** Documents larger than this are refused before parsing. */
export const MAX_DOCUMENT_BYTES = 1 << 20;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  entityDecoder: xmlEntityDecoder(),
});

function parseFailure(message: string): InstructionError {
  return new InstructionError(DOCUMENT_PARSE_FAILURE, `document parse failure: ${message}`);
}

function parseBaseUrl(baseUrl: string | undefined): URL | undefined {
  if (baseUrl === undefined) return undefined;
  try {
    return new URL(baseUrl);
  } catch {
    throw new TypeError(`baseUrl "${baseUrl}" is not an absolute URL`);
  }
}

function readRoot(xml: string): XmlElement {
  if (xml.length > MAX_DOCUMENT_BYTES) throw parseFailure(`document is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  const body = xml.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw parseFailure('document is empty');
  let validation: ReturnType<typeof XMLValidator.validate>;
  try {
    validation = XMLValidator.validate(body);
  } catch (err) {
    throw parseFailure(err instanceof Error ? err.message : String(err));
  }
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw parseFailure(`${msg} (line ${line}, column ${col})`);
  }
  // A DTD could declare entities; instructions never need one.
  if (/<!DOCTYPE/i.test(body)) throw parseFailure('a DOCTYPE declaration is not allowed');
  let entries: unknown;
  try {
    entries = parser.parse(body);
  } catch (err) {
    throw parseFailure(err instanceof Error ? err.message : String(err));
  }
  const roots = Array.isArray(entries) ? toXmlNodes(entries, '').filter((n) => n.kind === 'element') : [];
  const root = roots[0];
  if (!root || roots.length > 1) throw parseFailure('a document has exactly one root element');
  if (root.name !== 'Response') {
    throw new InstructionError(DOCUMENT_PARSE_FAILURE, `document parse failure: the root element must be <Response>, not <${root.name}>`, {
      element: root.name,
      path: root.path,
    });
  }
  return root;
}

/** Twilio's verbs that dialtone does not run (yet): skipped with a warning. */
const NOT_RUN_VERBS: ReadonlySet<string> = new Set(['Sms', 'Message', 'Pay', 'Echo', 'Start', 'Stop']);

/**
 * Reads an instructions document (TwiML-compatible XML) into verbs, validating
 * all of it before any verb can run. Throws InstructionError: code 12100 when
 * the text is not a <Response> XML document, 12200 when an element or
 * attribute is not valid.
 */
export function parseInstructions(xml: string, opts: ParseOptions = {}): InstructionDocument {
  const ctx = new ParseContext(parseBaseUrl(opts.baseUrl));
  const root = readRoot(xml);
  if (ownText(root).trim() !== '') throw ctx.fail(root, 'text is not allowed here; put it in a <Say>');
  const verbs = childElements(root).flatMap((el) => {
    if (isVerbName(el.name)) return [VERB_PARSERS[el.name](el, ctx)];
    // A verb Twilio has and dialtone does not run: a 12200 warning, and the verbs around it run.
    if (NOT_RUN_VERBS.has(el.name)) {
      ctx.warn(el, `<${el.name}> is not supported by dialtone and was skipped`);
      return [];
    }
    throw ctx.fail(el, `unknown verb <${el.name}>`);
  });
  return { verbs, warnings: ctx.warnings, baseUrl: ctx.baseUrl?.href };
}
