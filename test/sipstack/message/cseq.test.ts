import { describe, expect, it } from 'vitest';
import { parseCSeq } from '../../../engine/sipstack/message/cseq.js';
import { SipParseError } from '../../../engine/sipstack/message/errors.js';

describe('parseCSeq', () => {
  it('parses number and method, with leading zeros and folded LWS (RFC 4475 wsinv)', () => {
    expect(parseCSeq('4711 INVITE')).toEqual({ seq: 4711, method: 'INVITE' });
    expect(parseCSeq('0009   INVITE')).toEqual({ seq: 9, method: 'INVITE' });
    expect(parseCSeq('4294967295 BYE')).toEqual({ seq: 4294967295, method: 'BYE' });
    expect(parseCSeq("1 !interesting-Method0123456789_*+`.%indeed'~").method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
  });

  it.each([
    ['a number over 32 bits', '4294967296 INVITE'],
    ['a huge number (RFC 4475 scalar02)', '36893488147419103232 REGISTER'],
    ['no method', '1'],
    ['no number', 'INVITE'],
    ['a negative number', '-1 INVITE'],
    ['no space', '1INVITE'],
    ['two methods', '1 INVITE BYE'],
  ])('rejects %s', (_what, text) => {
    expect(() => parseCSeq(text)).toThrow(SipParseError);
  });
});
