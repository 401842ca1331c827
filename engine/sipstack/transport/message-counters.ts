import type { SipMessage } from '../message/sip-message.js';

/** Methods counted under their own name; any other is counted as OTHER, so a peer cannot grow the table. */
const COUNTED_METHODS = new Set(['INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'INFO', 'UPDATE', 'PRACK', 'REFER', 'NOTIFY', 'SUBSCRIBE', 'MESSAGE', 'PUBLISH']);

/** Per method: requests, then responses of class 1xx..6xx (index 1..6). */
type MethodRow = [number, number, number, number, number, number, number];

/** Messages of one direction, by method, and responses by the method of their CSeq and class. */
export class MessageTally {
  private readonly rows = new Map<string, MethodRow>();

  count(message: SipMessage): void {
    if (message.kind === 'request') {
      this.row(message.method)[0]++;
      return;
    }
    const cseq = message.headers.get('cseq') ?? '';
    const cls = Math.floor(message.status / 100);
    if (cls >= 1 && cls <= 6) this.row(cseq.slice(cseq.lastIndexOf(' ') + 1))[cls]++;
  }

  private row(method: string): MethodRow {
    const name = COUNTED_METHODS.has(method) ? method : 'OTHER';
    let row = this.rows.get(name);
    if (!row) {
      row = [0, 0, 0, 0, 0, 0, 0];
      this.rows.set(name, row);
    }
    return row;
  }

  /** Requests by method. */
  requests(): { method: string; count: number }[] {
    return [...this.rows].filter(([, r]) => r[0] > 0).map(([method, r]) => ({ method, count: r[0] }));
  }

  /** Responses by the method they answer and their class ('1xx' .. '6xx'). */
  responses(): { method: string; class: string; count: number }[] {
    const out: { method: string; class: string; count: number }[] = [];
    for (const [method, r] of this.rows) for (let c = 1; c <= 6; c++) if (r[c]! > 0) out.push({ method, class: `${c}xx`, count: r[c]! });
    return out;
  }
}

/** SIP messages the transports received (parsed) and sent, retransmissions included. */
export class MessageCounters {
  readonly received = new MessageTally();
  readonly sent = new MessageTally();
}
