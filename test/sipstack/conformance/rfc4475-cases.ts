/**
 * What the server (with the application of torture-app.ts behind it) must do
 * with each RFC 4475 message, per the README of the message set and the RFC
 * section named. The messages themselves, and that README, are in
 * test/fixtures/rfc4475.
 *
 * Responses to a UDP request go where RFC 3261 §18.2.2 says: to the `received`
 * address (the packet's source, 127.0.0.1 here) and the sent-by port, or with
 * `rport` to the source port (RFC 3581). The messages name hosts elsewhere, so
 * for UDP the test rewrites the sent-by host and port of the top Via to its
 * own socket (`via: 'rewrite'`), keeping every other byte. Over TCP nothing is
 * rewritten: responses go back on the connection the request came on.
 */

/** One acceptable outcome on one transport. */
export interface Expect {
  /** Distinct final responses, in order of arrival; each entry lists acceptable codes. [] = no response. */
  finals: number[][];
  /** Silence is also acceptable (a message no response can be built for). */
  orNothing?: boolean;
  /** TCP: the server must close the connection. */
  closes?: boolean;
  /** TCP: the message leaves the stream misframed, so no probe can follow on that connection. */
  poisoned?: boolean;
}

export interface TortureCase {
  file: string;
  section: string;
  /**
   * UDP only. 'rewrite': the top Via's sent-by becomes the test socket;
   * 'each': every request in the datagram gets that (dblreq, so a wrongly
   * processed second request would be seen); 'keep': sent as is, because
   * of `why`.
   */
  via: 'rewrite' | 'each' | 'keep';
  why?: string;
  udp: Expect;
  tcp: Expect;
}

const status = (...codes: number[]): Expect => ({ finals: [codes] });
const drop: Expect = { finals: [] };
const both = (e: Expect): Pick<TortureCase, 'udp' | 'tcp'> => ({ udp: e, tcp: e });
const RESPONSE = 'a response: nothing is ever sent back to a response, so there is no Via to rewrite';

export const TORTURE_CASES: TortureCase[] = [
  // §3.1.1 valid messages that are hard to parse
  // wsinv's To carries a tag: an in-dialog INVITE for no dialog, 481 (§12.2.2).
  { file: 'wsinv', section: '3.1.1.1', via: 'rewrite', ...both(status(481)) },
  // An unknown method nobody routes: 405 or 501 (§8.2.1, §21.5.2).
  { file: 'intmeth', section: '3.1.1.2', via: 'rewrite', ...both(status(405, 501)) },
  { file: 'esc01', section: '3.1.1.3', via: 'rewrite', ...both(status(486)) },
  { file: 'escnull', section: '3.1.1.4', via: 'rewrite', ...both(status(200)) },
  // RE%47IST%45R is a method of its own (not REGISTER), unknown: 405 or 501.
  { file: 'esc02', section: '3.1.1.5', via: 'rewrite', ...both(status(405, 501)) },
  { file: 'lwsdisp', section: '3.1.1.6', via: 'rewrite', ...both(status(200)) },
  { file: 'longreq', section: '3.1.1.7', via: 'rewrite', ...both(status(486)) },
  // Over UDP the bytes after Content-Length are discarded (§18.3): only the
  // REGISTER is answered. Over TCP the INVITE is simply the next message.
  {
    file: 'dblreq',
    section: '3.1.1.8',
    via: 'each',
    udp: status(200),
    tcp: { finals: [[200], [486]] },
  },
  { file: 'semiuri', section: '3.1.1.9', via: 'rewrite', ...both(status(200)) },
  { file: 'transports', section: '3.1.1.10', via: 'rewrite', ...both(status(200)) },
  {
    file: 'mpart01',
    section: '3.1.1.11',
    via: 'keep',
    why: 'its top Via has rport, so the response goes to the UDP source (RFC 3581 §4)',
    ...both(status(200)),
  },
  { file: 'unreason', section: '3.1.1.12', via: 'keep', why: RESPONSE, ...both(drop) },
  { file: 'noreason', section: '3.1.1.13', via: 'keep', why: RESPONSE, ...both(drop) },

  // §3.1.2 invalid messages
  { file: 'badinv01', section: '3.1.2.1', via: 'rewrite', ...both(status(400)) },
  // Content-Length larger than the datagram: 400 on UDP (§18.3). On TCP the
  // server can only wait for the rest of the body: no response, and the
  // connection is useless afterwards.
  { file: 'clerr', section: '3.1.2.2', via: 'rewrite', udp: status(400), tcp: { finals: [], poisoned: true } },
  // Negative Content-Length: 400 (§20.14 is 1*DIGIT). On TCP the stream can
  // no longer be framed, so after the 400 the server closes the connection.
  { file: 'ncl', section: '3.1.2.3', via: 'rewrite', udp: status(400), tcp: { finals: [[400]], closes: true, poisoned: true } },
  { file: 'scalar02', section: '3.1.2.4', via: 'rewrite', ...both(status(400)) },
  { file: 'scalarlg', section: '3.1.2.5', via: 'keep', why: RESPONSE, ...both(drop) },
  { file: 'quotbal', section: '3.1.2.6', via: 'rewrite', ...both(status(400)) },
  { file: 'ltgtruri', section: '3.1.2.7', via: 'rewrite', ...both(status(400, 486)) },
  { file: 'lwsruri', section: '3.1.2.8', via: 'rewrite', ...both(status(400)) },
  { file: 'lwsstart', section: '3.1.2.9', via: 'rewrite', ...both(status(400, 486)) },
  { file: 'trws', section: '3.1.2.10', via: 'rewrite', ...both(status(400, 200)) },
  { file: 'escruri', section: '3.1.2.11', via: 'rewrite', ...both(status(400, 486)) },
  { file: 'baddate', section: '3.1.2.12', via: 'rewrite', ...both(status(400, 486)) },
  { file: 'regbadct', section: '3.1.2.13', via: 'rewrite', ...both(status(400, 200)) },
  { file: 'badaspec', section: '3.1.2.14', via: 'rewrite', ...both(status(400, 200)) },
  { file: 'baddn', section: '3.1.2.15', via: 'rewrite', ...both(status(400, 200)) },
  { file: 'badvers', section: '3.1.2.16', via: 'rewrite', ...both(status(505)) },
  { file: 'mismatch01', section: '3.1.2.17', via: 'rewrite', ...both(status(400)) },
  { file: 'mismatch02', section: '3.1.2.18', via: 'rewrite', ...both(status(501, 400)) },
  { file: 'bigcode', section: '3.1.2.19', via: 'keep', why: RESPONSE, ...both(drop) },

  // §3.2.1 transaction layer: 400 statelessly, or RFC 2543 matching and the app's 200.
  { file: 'badbranch', section: '3.2.1', via: 'rewrite', ...both(status(400, 200)) },

  // §3.3 application-layer semantics
  { file: 'insuf', section: '3.3.1', via: 'rewrite', ...both(status(400)) },
  { file: 'unkscm', section: '3.3.2', via: 'rewrite', ...both(status(416)) },
  { file: 'novelsc', section: '3.3.3', via: 'rewrite', ...both(status(416, 404)) },
  { file: 'unksm2', section: '3.3.4', via: 'rewrite', ...both(status(400)) },
  { file: 'bext01', section: '3.3.5', via: 'rewrite', ...both(status(420)) },
  { file: 'invut', section: '3.3.6', via: 'rewrite', ...both(status(415)) },
  { file: 'regaut01', section: '3.3.7', via: 'rewrite', ...both(status(401)) },
  { file: 'multi01', section: '3.3.8', via: 'rewrite', ...both(status(400)) },
  // Two Content-Length values: discard on UDP, close the connection on TCP
  // (a 400 before closing is tolerated).
  {
    file: 'mcl01',
    section: '3.3.9',
    via: 'rewrite',
    udp: drop,
    tcp: { finals: [[400]], orNothing: true, closes: true, poisoned: true },
  },
  { file: 'bcast', section: '3.3.10', via: 'keep', why: RESPONSE, ...both(drop) },
  // An endpoint processes Max-Forwards 0 (the application answers 200); a proxy would answer 483.
  { file: 'zeromf', section: '3.3.11', via: 'rewrite', ...both(status(200, 483)) },
  { file: 'cparam01', section: '3.3.12', via: 'rewrite', ...both(status(200)) },
  { file: 'cparam02', section: '3.3.13', via: 'rewrite', ...both(status(200)) },
  { file: 'regescrt', section: '3.3.14', via: 'rewrite', ...both(status(200)) },
  { file: 'sdp01', section: '3.3.15', via: 'rewrite', ...both(status(406, 400)) },

  // §3.4.1 backwards compatibility: RFC 2543 style (no branch cookie), accepted.
  // Over TCP it has no Content-Length, which §18.3 requires on streams: the
  // message cannot be framed. Answering it (as if the body were empty), a 400,
  // or closing the connection without a response are all sane; nothing else
  // may come back.
  {
    file: 'inv2543',
    section: '3.4.1',
    via: 'rewrite',
    udp: status(486),
    tcp: { finals: [[486, 400]], orNothing: true, poisoned: true },
  },

  // Not named by any section: no SIP-Version on the start line and no Via, so
  // no response can be routed; 400 to the source would also be sane.
  {
    file: 'test',
    section: '(archive only)',
    via: 'keep',
    why: 'it has no Via header',
    ...both({ finals: [[400]], orNothing: true }),
  },
];
