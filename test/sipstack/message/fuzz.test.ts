/**
 * Hostile input: random bytes and mutated real messages must never make the
 * parser or the framer throw. Each returns a message or an error outcome; an
 * outcome reporting an internal failure (an exception caught as a last
 * resort) counts as a defect here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamFramer } from '../../../engine/sipstack/message/framer.js';
import { parseMessage, type ParseOutcome } from '../../../engine/sipstack/message/parser.js';
import { serializeMessage } from '../../../engine/sipstack/message/serialize.js';
import { parseNameAddr } from '../../../engine/sipstack/message/name-addr.js';
import { parseUri } from '../../../engine/sipstack/message/uri.js';
import { parseVia } from '../../../engine/sipstack/message/via.js';
import { parseCSeq } from '../../../engine/sipstack/message/cseq.js';
import { SipParseError } from '../../../engine/sipstack/message/errors.js';
import { RFC4475_DIR as dir } from '../../support/fixtures.js';
import { prng } from '../../support/prng.js';

const SEEDS = readdirSync(dir)
  .filter((f) => f.endsWith('.dat'))
  .sort()
  .map((f) => readFileSync(path.join(dir, f)));


const INTERESTING = Buffer.from(' \t\r\n:;,<>"\\@%/[]=?0123456789SIP/2.0vlfti\u00ff\u0000');

function mutate(src: Buffer, rnd: () => number): Buffer {
  const bytes = [...src];
  const edits = 1 + Math.floor(rnd() * 8);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * (bytes.length + 1));
    const op = Math.floor(rnd() * 5);
    const byte = rnd() < 0.6 ? INTERESTING[Math.floor(rnd() * INTERESTING.length)] : Math.floor(rnd() * 256);
    if (op === 0) bytes[at] = byte;
    else if (op === 1) bytes.splice(at, 0, byte);
    else if (op === 2) bytes.splice(at, 1 + Math.floor(rnd() * 20));
    else if (op === 3) bytes.splice(at, 0, ...bytes.slice(at, at + Math.floor(rnd() * 40)));
    else bytes.length = Math.min(bytes.length, at);
  }
  return Buffer.from(bytes);
}

function checkOutcome(o: ParseOutcome, input: Buffer): void {
  if (o.ok) {
    // Whatever parsed can be written out again.
    expect(serializeMessage(o.message).length).toBeGreaterThan(0);
    return;
  }
  expect(o.error, `input ${input.toString('base64')}`).not.toMatch(/^internal/);
  expect(o.drop === true || (o.status !== undefined && o.request !== undefined), `input ${input.toString('base64')}`).toBe(true);
}

describe('fuzz', () => {
  it('parses 3000 random byte strings without throwing', () => {
    const rnd = prng(1);
    for (let n = 0; n < 3000; n++) {
      const input = Buffer.from(Array.from({ length: Math.floor(rnd() * 600) }, () => Math.floor(rnd() * 256)));
      checkOutcome(parseMessage(input, { datagram: rnd() < 0.5 }), input);
    }
  });

  it('parses 5000 mutated RFC 4475 messages without throwing, and still accepts some', () => {
    const rnd = prng(2);
    let accepted = 0;
    for (let n = 0; n < 5000; n++) {
      const input = mutate(SEEDS[n % SEEDS.length], rnd);
      const outcome = parseMessage(input, { datagram: true, maxHeaders: 40, maxBytes: 2000 });
      checkOutcome(outcome, input);
      if (outcome.ok) accepted++;
    }
    // Mutations that miss the syntax must still parse; an always-failing parser is not robust.
    expect(accepted).toBeGreaterThan(200);
  });

  it('frames mutated streams in random chunks without throwing', () => {
    const rnd = prng(3);
    for (let n = 0; n < 1000; n++) {
      const stream = Buffer.concat([mutate(SEEDS[n % SEEDS.length], rnd), SEEDS[(n * 7) % SEEDS.length]]);
      const framer = new StreamFramer({ maxBytes: 4000 });
      let at = 0;
      while (at < stream.length) {
        const size = 1 + Math.floor(rnd() * 200);
        for (const item of framer.push(stream.subarray(at, at + size))) {
          if (item.kind === 'message') checkOutcome(parseMessage(item.data), item.data);
        }
        at += size;
      }
    }
  });

  it('header parsers throw only SipParseError on random text', () => {
    const rnd = prng(4);
    const alphabet = 'sip:tel<>"\\;=,@[]:/ \tSIP/2.0/UDP 1234567890abcxyz%?&.';
    for (let n = 0; n < 5000; n++) {
      const text = Array.from({ length: Math.floor(rnd() * 60) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      for (const parse of [parseUri, parseVia, parseNameAddr, parseCSeq]) {
        try {
          parse(text);
        } catch (err) {
          expect(err, `${parse.name}(${JSON.stringify(text)})`).toBeInstanceOf(SipParseError);
        }
      }
    }
  });
});
