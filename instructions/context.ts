import { InstructionError, SCHEMA_VALIDATION_FAILURE, type InstructionWarning } from './errors.js';
import { childElements, ownText, type XmlElement } from './xml-tree.js';

/** State shared by the verb parsers while one document is read. */
export class ParseContext {
  readonly warnings: InstructionWarning[] = [];
  /** The document's own URL; relative URLs inside it are resolved against it. */
  readonly baseUrl: URL | undefined;

  constructor(baseUrl: URL | undefined) {
    this.baseUrl = baseUrl;
  }

  /** A 12200 error naming the element (and attribute) at fault. */
  fail(el: XmlElement, message: string, attribute?: string): InstructionError {
    const where = attribute === undefined ? `<${el.name}>` : `<${el.name}> attribute ${attribute}`;
    return new InstructionError(SCHEMA_VALIDATION_FAILURE, `${where}: ${message} (at ${el.path})`, {
      element: el.name,
      attribute,
      path: el.path,
    });
  }

  warn(el: XmlElement, message: string, attribute?: string): void {
    this.warnings.push({ message, element: el.name, attribute, path: el.path });
  }

  /**
   * Resolves a URL written in the document against the document's URL
   * (RFC 3986 section 5.2, as the WHATWG URL parser implements it). Without a
   * base a relative URL is kept as written and noted in the warnings.
   */
  resolveUrl(el: XmlElement, value: string, schemes: readonly string[], attribute?: string): string {
    let url: URL;
    try {
      url = this.baseUrl ? new URL(value, this.baseUrl) : new URL(value);
    } catch {
      if (!this.baseUrl && !/^[a-z][a-z0-9+.-]*:/i.test(value)) {
        this.warn(el, `relative URL "${value}" kept as written: the document has no base URL`, attribute);
        return value;
      }
      throw this.fail(el, `"${value}" is not a valid URL`, attribute);
    }
    if (!schemes.includes(url.protocol)) {
      throw this.fail(el, `"${value}" must be a ${schemes.map((s) => s.slice(0, -1)).join(' or ')} URL`, attribute);
    }
    return url.href;
  }

  /** Fails when the element holds anything but whitespace and comments. */
  expectEmpty(el: XmlElement): void {
    this.expectNoChildren(el);
    if (ownText(el).trim() !== '') throw this.fail(el, 'text is not allowed here');
  }

  expectNoChildren(el: XmlElement): void {
    const child = childElements(el)[0];
    if (child) throw this.fail(child, `<${child.name}> is not allowed inside <${el.name}>`);
  }

  /** The element's trimmed text; it may hold no child elements. */
  text(el: XmlElement): string {
    this.expectNoChildren(el);
    return ownText(el).trim();
  }

  /** Like text() but the text must not be empty. */
  requiredText(el: XmlElement, what: string): string {
    const text = this.text(el);
    if (text === '') throw this.fail(el, `${what} is required as the element's text`);
    return text;
  }
}
