/**
 * Framing of the drachtio wire protocol on the admin TCP connection:
 * every message is `<byte length>#<payload>`, the length counting the UTF-8
 * bytes of the payload, which itself is `<message id>|<type>|...`.
 */

/** Longest payload accepted from an application (drachtio allows five digits of length). */
export const MAX_WIRE_MESSAGE = 16 * 1024 * 1024;

export function frameWireMessage(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}#`, 'latin1'), body]);
}

export type WireFrame = { kind: 'message'; payload: string } | { kind: 'error'; error: string };

/** Splits the admin connection's byte stream into payloads. */
export class WireFramer {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): WireFrame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: WireFrame[] = [];
    while (this.buffer.length > 0) {
      const hash = this.buffer.indexOf(0x23 /* # */);
      if (hash < 0) {
        if (this.buffer.length > 10) out.push({ kind: 'error', error: 'missing length specifier' });
        break;
      }
      const lengthText = this.buffer.toString('latin1', 0, hash);
      if (!/^\d{1,9}$/.test(lengthText)) {
        out.push({ kind: 'error', error: `invalid length specifier '${lengthText.slice(0, 20)}'` });
        this.buffer = Buffer.alloc(0);
        break;
      }
      const length = Number(lengthText);
      if (length === 0 || length > MAX_WIRE_MESSAGE) {
        out.push({ kind: 'error', error: `message length ${length} out of range` });
        this.buffer = Buffer.alloc(0);
        break;
      }
      const end = hash + 1 + length;
      if (this.buffer.length < end) break;
      out.push({ kind: 'message', payload: this.buffer.toString('utf8', hash + 1, end) });
      this.buffer = this.buffer.subarray(end);
    }
    return out;
  }
}
