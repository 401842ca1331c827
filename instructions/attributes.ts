import type { ParseContext } from './context.js';
import type { XmlElement } from './xml-tree.js';

export type HttpMethod = 'GET' | 'POST';

/** Schemes allowed for callback and document URLs. */
export const HTTP_SCHEMES = ['http:', 'https:'] as const;

interface IntegerRange {
  min: number;
  max: number;
}

/**
 * Typed access to one element's attributes. Every read marks the attribute as
 * known; finish() notes the rest as warnings, since Twilio ignores attributes
 * it does not know rather than failing the document.
 *
 * An attribute that is present but empty reads as absent, except where an
 * empty value means something (finishOnKey="" disables the finish key).
 */
export class AttributeReader {
  private readonly known = new Set<string>();

  constructor(
    private readonly el: XmlElement,
    private readonly ctx: ParseContext,
  ) {}

  raw(name: string): string | undefined {
    this.known.add(name);
    const value = this.el.attributes[name];
    return value === undefined ? undefined : value.trim();
  }

  string(name: string): string | undefined {
    const value = this.raw(name);
    return value === undefined || value === '' ? undefined : value;
  }

  integer(name: string, range: IntegerRange): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!/^[+-]?\d+$/.test(value)) throw this.ctx.fail(this.el, `"${value}" is not an integer`, name);
    const n = Number(value);
    if (n < range.min || n > range.max) {
      throw this.ctx.fail(this.el, `${n} is out of range ${range.min}..${range.max}`, name);
    }
    return n;
  }

  boolean(name: string): boolean | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw this.ctx.fail(this.el, `"${value}" is not true or false`, name);
  }

  enumeration<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const match = values.find((v) => v.toLowerCase() === value.toLowerCase());
    if (match === undefined) {
      throw this.ctx.fail(this.el, `"${value}" is not one of ${values.join(', ')}`, name);
    }
    return match;
  }

  /** A list of enumeration values separated by spaces or commas (`input="dtmf speech"`). */
  enumerationList<T extends string>(name: string, values: readonly T[]): T[] | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const out: T[] = [];
    for (const item of value.split(/[\s,]+/).filter((s) => s !== '')) {
      const match = values.find((v) => v.toLowerCase() === item.toLowerCase());
      if (match === undefined) {
        throw this.ctx.fail(this.el, `"${item}" is not one of ${values.join(', ')}`, name);
      }
      if (!out.includes(match)) out.push(match);
    }
    return out;
  }

  method(name: string): HttpMethod | undefined {
    return this.enumeration(name, ['GET', 'POST'] as const);
  }

  url(name: string, schemes: readonly string[] = HTTP_SCHEMES): string | undefined {
    const value = this.string(name);
    return value === undefined ? undefined : this.ctx.resolveUrl(this.el, value, schemes, name);
  }

  /** DTMF keys drawn from `allowed`; an empty value is kept (it means "no key"). */
  keys(name: string, opts: { allowed: string; maxLength: number }): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (value.length > opts.maxLength) {
      throw this.ctx.fail(this.el, `"${value}" may hold at most ${opts.maxLength} key(s)`, name);
    }
    for (const ch of value) {
      if (!opts.allowed.includes(ch)) throw this.ctx.fail(this.el, `"${ch}" is not a DTMF key`, name);
    }
    return value;
  }

  /** Notes every attribute that no read asked for. Namespace declarations are not noted. */
  finish(): void {
    for (const name of Object.keys(this.el.attributes)) {
      if (this.known.has(name) || name === 'xmlns' || name.startsWith('xmlns:')) continue;
      this.ctx.warn(this.el, `attribute ${name} is not supported and was ignored`, name);
    }
  }
}

export const DTMF_KEYS = '0123456789*#';
