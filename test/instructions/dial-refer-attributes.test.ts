/**
 * <Dial referUrl referMethod>: the URL a REFER from the connected party is
 * sent to, resolved against the document's URL like action, and its method.
 */
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { InstructionError, parseInstructions } from '../../instructions/index.js';
import type { DialVerb } from '../../instructions/verbs/dial.js';
import { parseErrorOf } from './parse-error.js';

const BASE = 'https://app.example.com:8443/ivr/start?x=1';

function dialOf(xml: string): DialVerb {
  const doc = parseInstructions(xml, { baseUrl: BASE });
  expect(doc.warnings).toEqual([]);
  const [dial] = doc.verbs;
  if (dial?.verb !== 'Dial') throw new Error('no Dial');
  return dial;
}

const errorOf = (xml: string): InstructionError => parseErrorOf(xml, BASE);

describe('<Dial referUrl referMethod>', () => {
  it('from the twilio library: a relative referUrl resolves against the document, referMethod is kept', () => {
    const r = new twilio.twiml.VoiceResponse();
    r.dial({ referUrl: 'transfer?step=2', referMethod: 'GET' }).sip('sip:agent@pbx.example.com');
    expect(dialOf(r.toString())).toMatchObject({ referUrl: 'https://app.example.com:8443/ivr/transfer?step=2', referMethod: 'GET' });
  });

  it('absolute referUrl; referMethod defaults to POST; no referUrl when absent or empty', () => {
    expect(dialOf('<Response><Dial referUrl="https://hooks.example.org/refer">+15551234567</Dial></Response>')).toMatchObject({
      referUrl: 'https://hooks.example.org/refer',
      referMethod: 'POST',
    });
    const bare = dialOf('<Response><Dial>+15551234567</Dial></Response>');
    expect(bare.referUrl).toBeUndefined();
    expect(bare.referMethod).toBe('POST');
    expect(dialOf('<Response><Dial referUrl="">+15551234567</Dial></Response>').referUrl).toBeUndefined();
    expect(dialOf('<Response><Dial referMethod="get">+15551234567</Dial></Response>').referMethod).toBe('GET');
  });

  it.each([
    ['a referUrl that is not http', '<Response><Dial referUrl="ftp://x/y">+15551234567</Dial></Response>', 'referUrl'],
    ['a referUrl that is not a URL', '<Response><Dial referUrl="http://exa mple.com:99999/">+15551234567</Dial></Response>', 'referUrl'],
    ['a referMethod other than GET or POST', '<Response><Dial referUrl="/r" referMethod="PUT">+15551234567</Dial></Response>', 'referMethod'],
  ])('%s is a 12200 naming the attribute', (_name, xml, attribute) => {
    const err = errorOf(xml);
    expect(err.code).toBe(12200);
    expect(err.element).toBe('Dial');
    expect(err.attribute).toBe(attribute);
  });
});
