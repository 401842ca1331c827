/**
 * <Refer action method><Sip>: documents from the twilio library parse into
 * a Refer verb (action resolved against the document, POST by default, the
 * Sip URI kept with its header part, its X- headers decoded); a Refer
 * without exactly one Sip noun, or with a URI that is not sip:/sips:, is a
 * 12200 naming the element.
 */
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { InstructionError, parseInstructions, type ReferVerb } from '../../instructions/index.js';
import { parseErrorOf } from './parse-error.js';

const { VoiceResponse } = twilio.twiml;
const BASE = 'https://app.example.com:8443/ivr/start?x=1';

function referOf(xml: string): { refer: ReferVerb; warnings: string[] } {
  const doc = parseInstructions(xml, { baseUrl: BASE });
  const [refer] = doc.verbs;
  if (refer?.verb !== 'Refer') throw new Error(`no Refer in ${xml}`);
  return { refer, warnings: doc.warnings.map((w) => w.message) };
}

const errorOf = (xml: string): InstructionError => parseErrorOf(xml, BASE);

describe('<Refer>', () => {
  it('from the twilio library: action resolved against the document, method kept, the Sip URI as written', () => {
    const r = new VoiceResponse();
    r.refer({ action: '/handleRefer', method: 'GET' }).sip('sip:alice@example.com?X-Custom=1');
    r.say('after the transfer');
    const doc = parseInstructions(r.toString(), { baseUrl: BASE });
    expect(doc.warnings).toEqual([]);
    expect(doc.verbs).toEqual([
      { verb: 'Refer', action: 'https://app.example.com:8443/handleRefer', method: 'GET', sip: { uri: 'sip:alice@example.com?X-Custom=1', headers: { 'X-Custom': '1' } } },
      expect.objectContaining({ verb: 'Say', text: 'after the transfer' }),
    ]);
  });

  it("Twilio's own examples: no action (POST by default), several X- headers, a User-to-User header kept in the URI only", () => {
    const plain = new VoiceResponse();
    plain.refer().sip('sip:alice@example.com');
    expect(referOf(plain.toString()).refer).toEqual({ verb: 'Refer', action: undefined, method: 'POST', sip: { uri: 'sip:alice@example.com', headers: {} } });

    const context = new VoiceResponse();
    context.refer().sip('sip:alice@example.com?X-AcctNumber=123456&X-ReasonForCalling=billing-question');
    expect(referOf(context.toString()).refer.sip).toEqual({
      uri: 'sip:alice@example.com?X-AcctNumber=123456&X-ReasonForCalling=billing-question',
      headers: { 'X-AcctNumber': '123456', 'X-ReasonForCalling': 'billing-question' },
    });

    const uui = new VoiceResponse();
    uui.refer().sip('sip:alice@example.com?User-to-User=123456789%3Bencoding%3Dhex&X-Name=Agent%2C+A');
    const { refer, warnings } = referOf(uui.toString());
    expect(refer.sip).toEqual({ uri: 'sip:alice@example.com?User-to-User=123456789%3Bencoding%3Dhex&X-Name=Agent%2C+A', headers: { 'X-Name': 'Agent,+A' } });
    expect(warnings).toEqual([]);
  });

  it('sips: URIs, and a relative action without a base URL kept with a warning', () => {
    const doc = parseInstructions('<Response><Refer action="done"><Sip>sips:bob@pbx.example.com;transport=tls</Sip></Refer></Response>');
    expect(doc.verbs[0]).toMatchObject({ verb: 'Refer', action: 'done', sip: { uri: 'sips:bob@pbx.example.com;transport=tls' } });
    expect(doc.warnings.map((w) => w.attribute)).toEqual(['action']);
  });

  it('an attribute Twilio does not define on Refer or Sip is a warning, and the verb runs', () => {
    const { refer, warnings } = referOf('<Response><Refer timeout="5"><Sip username="u">sip:alice@example.com</Sip></Refer></Response>');
    expect(refer.sip.uri).toBe('sip:alice@example.com');
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toMatch(/timeout[\s\S]*username/);
  });

  it('an X- header whose decoded value holds a line break stays in the URI only, with a warning', () => {
    const { refer, warnings } = referOf('<Response><Refer><Sip>sip:alice@example.com?X-Bad=a%0D%0AVia:x&amp;X-Good=2</Sip></Refer></Response>');
    expect(refer.sip.headers).toEqual({ 'X-Good': '2' });
    expect(refer.sip.uri).toBe('sip:alice@example.com?X-Bad=a%0D%0AVia:x&X-Good=2');
    expect(warnings).toEqual([expect.stringContaining('X-Bad')]);
  });

  it('is no longer skipped as a verb dialtone does not run', () => {
    const doc = parseInstructions('<Response><Refer><Sip>sip:alice@example.com</Sip></Refer><Hangup/></Response>');
    expect(doc.verbs.map((v) => v.verb)).toEqual(['Refer', 'Hangup']);
    expect(doc.warnings).toEqual([]);
  });

  it.each([
    ['no Sip noun', '<Response><Refer action="/r"/></Response>', 'Refer', /<Sip> noun .* is required/],
    ['two Sip nouns', '<Response><Refer><Sip>sip:a@example.com</Sip><Sip>sip:b@example.com</Sip></Refer></Response>', 'Sip', /exactly one <Sip>/],
    ['a Number noun', '<Response><Refer><Number>+15551234567</Number></Refer></Response>', 'Number', /not allowed inside <Refer>/],
    ['the URI as text of Refer', '<Response><Refer>sip:alice@example.com</Refer></Response>', 'Refer', /text is not allowed/],
    ['an empty Sip', '<Response><Refer><Sip> </Sip></Refer></Response>', 'Sip', /SIP URI is required/],
    ['a tel: URI', '<Response><Refer><Sip>tel:+15551234567</Sip></Refer></Response>', 'Sip', /not a sip: or sips: URI/],
    ['a URI with a space', '<Response><Refer><Sip>sip:alice@exa mple.com</Sip></Refer></Response>', 'Sip', /not a sip: or sips: URI/],
    ['a URI with angle brackets', '<Response><Refer><Sip>&lt;sip:alice@example.com&gt;</Sip></Refer></Response>', 'Sip', /not a sip: or sips: URI/],
    ['a URI with no host', '<Response><Refer><Sip>sip:?X-A=1</Sip></Refer></Response>', 'Sip', /not a sip: or sips: URI/],
    ['a bad percent-encoding', '<Response><Refer><Sip>sip:alice@example.com?X-A=%E0%A4%A</Sip></Refer></Response>', 'Sip', /not a valid URI header/],
  ])('%s is a 12200 naming the element', (_name, xml, element, message) => {
    const err = errorOf(xml);
    expect(err.code).toBe(12200);
    expect(err.element).toBe(element);
    expect(err.message).toMatch(message);
  });

  it.each([
    ['an action that is not http', '<Response><Refer action="ftp://x/y"><Sip>sip:a@example.com</Sip></Refer></Response>', 'action'],
    ['a method other than GET or POST', '<Response><Refer method="PUT"><Sip>sip:a@example.com</Sip></Refer></Response>', 'method'],
  ])('%s is a 12200 naming the attribute', (_name, xml, attribute) => {
    const err = errorOf(xml);
    expect(err.code).toBe(12200);
    expect(err.element).toBe('Refer');
    expect(err.attribute).toBe(attribute);
  });
});
