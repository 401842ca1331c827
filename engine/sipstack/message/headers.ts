import { canonicalHeaderName, headerKey, isMultiValueHeader } from './header-names.js';
import { splitHeaderList } from './header-list.js';

/** One header line as it will be (or was) written: `Name: value`. */
export interface HeaderField {
  readonly name: string;
  value: string;
}

/**
 * The ordered header fields of a SIP message. Names are matched
 * case-insensitively and compact forms are expanded (RFC 3261 §7.3.1, §7.3.3);
 * order of fields with the same name is kept, since it is significant for
 * Via, Route and Record-Route.
 */
export class SipHeaders {
  private readonly fields: HeaderField[] = [];

  static from(fields: Iterable<readonly [string, string]>): SipHeaders {
    const h = new SipHeaders();
    for (const [name, value] of fields) h.append(name, value);
    return h;
  }

  /** The first field's value (a whole line, not split at commas). */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const f of this.fields) if (headerKey(f.name) === key) return f.value;
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Every field line with this name, unsplit. */
  lines(name: string): string[] {
    const key = headerKey(name);
    return this.fields.filter((f) => headerKey(f.name) === key).map((f) => f.value);
  }

  /**
   * Every value of this header: for list headers (Via, Route, Contact, ...)
   * each line is split at commas outside quotes and angle brackets.
   */
  values(name: string): string[] {
    const lines = this.lines(name);
    if (!isMultiValueHeader(name)) return lines;
    return lines.flatMap((l) => splitHeaderList(l));
  }

  /** Adds a field at the end, keeping the caller's spelling of the name when it is not compact. */
  append(name: string, value: string): this {
    this.fields.push({ name: name.length === 1 ? canonicalHeaderName(name) : name, value });
    return this;
  }

  /** Adds a field before any other field of the same name (for Via, Record-Route). */
  prepend(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.fields.findIndex((f) => headerKey(f.name) === key);
    const field = { name: canonicalHeaderName(name), value };
    if (at < 0) this.fields.push(field);
    else this.fields.splice(at, 0, field);
    return this;
  }

  /** Replaces every field of this name by one field (appended where the first one was). */
  set(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.fields.findIndex((f) => headerKey(f.name) === key);
    this.delete(name);
    const field = { name: name.length === 1 ? canonicalHeaderName(name) : name, value };
    if (at < 0) this.fields.push(field);
    else this.fields.splice(at, 0, field);
    return this;
  }

  delete(name: string): this {
    const key = headerKey(name);
    for (let i = this.fields.length - 1; i >= 0; i--) {
      if (headerKey(this.fields[i].name) === key) this.fields.splice(i, 1);
    }
    return this;
  }

  /** Removes the first value of a list header (the top Via on a response going upstream). */
  shift(name: string): string | undefined {
    const key = headerKey(name);
    const at = this.fields.findIndex((f) => headerKey(f.name) === key);
    if (at < 0) return undefined;
    const parts = splitHeaderList(this.fields[at].value);
    const first = parts.shift();
    if (parts.length === 0) this.fields.splice(at, 1);
    else this.fields[at].value = parts.join(', ');
    return first;
  }

  [Symbol.iterator](): Iterator<HeaderField> {
    return this.fields[Symbol.iterator]();
  }

  get size(): number {
    return this.fields.length;
  }

  clone(): SipHeaders {
    const h = new SipHeaders();
    for (const f of this.fields) h.fields.push({ name: f.name, value: f.value });
    return h;
  }
}
