import { describe, expect, it } from 'vitest';
import { TrunkSchema, type Trunk, type TrunkInput } from '../../config/trunks.js';
import { DialTargetError, resolveDialTarget } from '../../engine/outbound/dial-target.js';

function trunk(input: TrunkInput): Trunk {
  return TrunkSchema.parse(input);
}

/** The message of the DialTargetError `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DialTargetError);
    return (err as Error).message;
  }
  throw new Error('no DialTargetError');
}

const US = trunk({ id: 'us', host: '198.51.100.1', prefixes: ['+1'], username: 'u1', password: 'p1' });
const UK = trunk({ id: 'uk', host: 'uk.carrier.example', port: 5080, transport: 'tcp', prefixes: ['+44'], strip: 3, prepend: '0' });
const UK_MOBILE = trunk({ id: 'uk-mobile', host: '198.51.100.3', prefixes: ['+447'] });
const ANY = trunk({ id: 'any', host: '198.51.100.9', strip: 1, prepend: '00', fromDomain: 'pbx.example.com' });

describe('resolveDialTarget', () => {
  it('sends a number to the trunk with its prefix, with that trunk\'s credentials', () => {
    expect(resolveDialTarget('+14155550100', [UK, US, ANY])).toEqual({
      requestUri: 'sip:+14155550100@198.51.100.1:5060',
      auth: { username: 'u1', password: 'p1' },
      trunkId: 'us',
    });
  });

  it('the longest matching prefix wins, whatever the order', () => {
    expect(resolveDialTarget('+447700900123', [ANY, UK, UK_MOBILE]).trunkId).toBe('uk-mobile');
    expect(resolveDialTarget('+442079460123', [ANY, UK_MOBILE, UK]).trunkId).toBe('uk');
    expect(resolveDialTarget('+33140000000', [UK, UK_MOBILE, ANY]).trunkId).toBe('any');
  });

  it('on a tie the first trunk in the configuration wins', () => {
    const a = trunk({ id: 'a', host: '192.0.2.1', prefixes: ['+1'] });
    const b = trunk({ id: 'b', host: '192.0.2.2', prefixes: ['+1'] });
    expect(resolveDialTarget('+15550100', [a, b]).trunkId).toBe('a');
    expect(resolveDialTarget('+15550100', [b, a]).trunkId).toBe('b');
  });

  it('strips then prepends, and puts ;transport=tcp on a TCP trunk', () => {
    expect(resolveDialTarget('+442079460123', [UK])).toEqual({
      requestUri: 'sip:02079460123@uk.carrier.example:5080;transport=tcp',
      trunkId: 'uk',
    });
    expect(resolveDialTarget('+33140000000', [ANY])).toEqual({
      requestUri: 'sip:0033140000000@198.51.100.9:5060',
      trunkId: 'any',
      fromDomain: 'pbx.example.com',
    });
  });

  it('drops spaces, dashes, dots and parentheses from numbers', () => {
    expect(resolveDialTarget(' +1 (415) 555-01.00 ', [US]).requestUri).toBe('sip:+14155550100@198.51.100.1:5060');
    expect(resolveDialTarget('0800 123 456', [ANY]).requestUri).toBe('sip:00800123456@198.51.100.9:5060');
  });

  it('escapes # in what it sends, and brackets an IPv6 trunk host', () => {
    const v6 = trunk({ id: 'v6', host: '2001:db8::1', prepend: '99#' });
    expect(resolveDialTarget('123', [v6]).requestUri).toBe('sip:99%23123@[2001:db8::1]:5060');
  });

  it.each([
    ['letters', '+1 415 CALL NOW', /neither a phone number/],
    ['a plus in the middle', '1+415', /neither a phone number/],
    ['only separators', ' - ', /neither a phone number/],
    ['nothing', '', /empty/],
    ['a tel: URI', 'tel:+14155550100', /neither a phone number/],
  ])('refuses a malformed number: %s', (_what, to, message) => {
    expect(refusal(() => resolveDialTarget(to, [ANY]))).toMatch(message);
  });

  it('says when no trunk carries a number, and when there is no trunk at all', () => {
    expect(refusal(() => resolveDialTarget('+33140000000', [US, UK]))).toMatch(/no outbound trunk carries it.*us \["\+1"\]/);
    expect(refusal(() => resolveDialTarget('14155550100', [US]))).toMatch(/no outbound trunk carries it/);
    expect(refusal(() => resolveDialTarget('+14155550100', []))).toMatch(/no outbound trunk is configured/);
  });

  it('refuses a strip that leaves nothing', () => {
    const greedy = trunk({ id: 'greedy', host: '192.0.2.1', strip: 5 });
    expect(refusal(() => resolveDialTarget('+1234', [greedy]))).toMatch(/leaves nothing/);
  });

  it('dials a SIP URI as it is, with the credentials given, and no trunk', () => {
    expect(resolveDialTarget('sip:alice@example.com;transport=tcp', [US])).toEqual({ requestUri: 'sip:alice@example.com;transport=tcp' });
    expect(resolveDialTarget('sips:bob@example.com:5061', [], { username: 'bob', password: 'pw' })).toEqual({
      requestUri: 'sips:bob@example.com:5061',
      auth: { username: 'bob', password: 'pw' },
    });
    // Half a credential is no credential.
    expect(resolveDialTarget('sip:carol@192.0.2.5', [], { username: 'carol' })).toEqual({ requestUri: 'sip:carol@192.0.2.5' });
  });

  it.each(['sip:', 'sip:alice@', 'sip:alice bob@example.com', 'sip:<alice@example.com>', 'sip:@;transport=tcp'])(
    'refuses an unusable SIP URI: %s',
    (uri) => {
      expect(refusal(() => resolveDialTarget(uri, [ANY]))).toMatch(/not a usable SIP URI/);
    },
  );
});
