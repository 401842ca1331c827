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
  /** headerKey() of each field, kept in step with `fields` so lookups do not re-normalise names. */
  private readonly keys: string[] = [];

  static from(fields: Iterable<readonly [string, string]>): SipHeaders {
    const h = new SipHeaders();
    for (const [name, value] of fields) h.append(name, value);
    return h;
  }

  /** The first field's value (a whole line, not split at commas). */
  get(name: string): string | undefined {
    const key = headerKey(name);
    const at = this.keys.indexOf(key);
    return at < 0 ? undefined : this.fields[at].value;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Every field line with this name, unsplit. */
  lines(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] === key) out.push(this.fields[i].value);
    return out;
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
    this.keys.push(headerKey(name));
    return this;
  }

  /** Adds a field before any other field of the same name (for Via, Record-Route). */
  prepend(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.keys.indexOf(key);
    const field = { name: canonicalHeaderName(name), value };
    if (at < 0) {
      this.fields.push(field);
      this.keys.push(key);
    } else {
      this.fields.splice(at, 0, field);
      this.keys.splice(at, 0, key);
    }
    return this;
  }

  /** Replaces every field of this name by one field (appended where the first one was). */
  set(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.keys.indexOf(key);
    this.delete(name);
    const field = { name: name.length === 1 ? canonicalHeaderName(name) : name, value };
    if (at < 0) {
      this.fields.push(field);
      this.keys.push(key);
    } else {
      this.fields.splice(at, 0, field);
      this.keys.splice(at, 0, key);
    }
    return this;
  }

  delete(name: string): this {
    const key = headerKey(name);
    for (let i = this.fields.length - 1; i >= 0; i--) {
      if (this.keys[i] === key) {
        this.fields.splice(i, 1);
        this.keys.splice(i, 1);
      }
    }
    return this;
  }

  /** Removes the first value of a list header (the top Via on a response going upstream). */
  shift(name: string): string | undefined {
    const at = this.keys.indexOf(headerKey(name));
    if (at < 0) return undefined;
    const parts = splitHeaderList(this.fields[at].value);
    const first = parts.shift();
    if (parts.length === 0) {
      this.fields.splice(at, 1);
      this.keys.splice(at, 1);
    }
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
    h.keys.push(...this.keys);
    return h;
  }
}
