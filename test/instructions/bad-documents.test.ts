import { describe, expect, it } from 'vitest';
import { InstructionError, parseInstructions } from '../../instructions/index.js';

/** Parses `xml` and returns the error it must raise. */
function errorOf(xml: string, baseUrl?: string): InstructionError {
  try {
    parseInstructions(xml, { baseUrl });
  } catch (err) {
    expect(err).toBeInstanceOf(InstructionError);
    return err as InstructionError;
  }
  throw new Error(`no error for ${xml}`);
}

describe('documents that are not XML or not a Response (12100)', () => {
  it.each([
    ['plain text', 'Hello, this is not XML'],
    ['empty', '   '],
    ['JSON', '{"verbs":[]}'],
    ['unclosed element', '<Response><Say>Hi</Response>'],
    ['unquoted attribute', '<Response><Say loop=2>Hi</Say></Response>'],
    ['two roots', '<Response/><Response/>'],
    ['a DTD', '<!DOCTYPE Response [<!ENTITY x "boom">]><Response><Say>&x;</Say></Response>'],
    ['an HTML page', '<html><body><h1>500 Internal Server Error</h1></body></html>'],
  ])('%s', (_name, xml) => {
    const err = errorOf(xml);
    expect(err.code).toBe(12100);
    expect(err.message).toMatch(/document parse failure/);
  });

  it('names the wrong root element', () => {
    const err = errorOf('<Reponse><Say>Hi</Say></Reponse>');
    expect(err.code).toBe(12100);
    expect(err.element).toBe('Reponse');
    expect(err.message).toContain('<Reponse>');
  });
});

describe('schema violations (12200) name the element and the attribute', () => {
  it.each([
    ['unknown verb', '<Response><Speak>Hi</Speak></Response>', 'Speak', undefined],
    ['verb in the wrong case', '<Response><say>Hi</say></Response>', 'say', undefined],
    ['loop not a number', '<Response><Say loop="twice">Hi</Say></Response>', 'Say', 'loop'],
    ['negative loop', '<Response><Play loop="-1">http://a/b.wav</Play></Response>', 'Play', 'loop'],
    ['Pause length not an integer', '<Response><Pause length="1.5"/></Response>', 'Pause', 'length'],
    ['Gather timeout 0', '<Response><Gather timeout="0"/></Response>', 'Gather', 'timeout'],
    ['Gather timeout too long', '<Response><Gather timeout="601"/></Response>', 'Gather', 'timeout'],
    ['Gather numDigits 0', '<Response><Gather numDigits="0"/></Response>', 'Gather', 'numDigits'],
    ['Gather finishOnKey two keys', '<Response><Gather finishOnKey="#*"/></Response>', 'Gather', 'finishOnKey'],
    ['Gather finishOnKey not a key', '<Response><Gather finishOnKey="x"/></Response>', 'Gather', 'finishOnKey'],
    ['Gather unknown input', '<Response><Gather input="dtmf video"/></Response>', 'Gather', 'input'],
    ['Gather bad boolean', '<Response><Gather actionOnEmptyResult="yes"/></Response>', 'Gather', 'actionOnEmptyResult'],
    ['Gather bad method', '<Response><Gather method="PUT"/></Response>', 'Gather', 'method'],
    ['Gather action not http', '<Response><Gather action="ftp://x/y"/></Response>', 'Gather', 'action'],
    ['Record maxLength 0', '<Response><Record maxLength="0"/></Response>', 'Record', 'maxLength'],
    ['Record bad trim', '<Response><Record trim="trim-all"/></Response>', 'Record', 'trim'],
    ['Record bad playBeep', '<Response><Record playBeep="1"/></Response>', 'Record', 'playBeep'],
    ['Record bad status event', '<Response><Record recordingStatusCallbackEvent="done"/></Response>', 'Record', 'recordingStatusCallbackEvent'],
    ['Reject bad reason', '<Response><Reject reason="nope"/></Response>', 'Reject', 'reason'],
    ['Play bad digits', '<Response><Play digits="12x"/></Response>', 'Play', 'digits'],
    ['Dial timeout too short', '<Response><Dial timeout="1">+15551234567</Dial></Response>', 'Dial', 'timeout'],
    ['Dial bad record', '<Response><Dial record="always">+15551234567</Dial></Response>', 'Dial', 'record'],
    ['Stream url not a WebSocket', '<Response><Connect><Stream url="https://x/y"/></Connect></Response>', 'Stream', 'url'],
  ])('%s', (_name, xml, element, attribute) => {
    const err = errorOf(xml);
    expect(err.code).toBe(12200);
    expect(err.element).toBe(element);
    expect(err.attribute).toBe(attribute);
    expect(err.message).toContain(`<${element}>`);
    if (attribute) expect(err.message).toContain(attribute);
  });

  it.each([
    ['Dial inside Gather', '<Response><Gather><Dial>+15551234567</Dial></Gather></Response>', 'Dial'],
    ['Gather inside Gather', '<Response><Gather><Gather/></Gather></Response>', 'Gather'],
    ['a Number outside Dial', '<Response><Number>+15551234567</Number></Response>', 'Number'],
    ['a Say inside Dial', '<Response><Dial><Say>hi</Say></Dial></Response>', 'Say'],
    ['an unknown noun in Dial', '<Response><Dial><Phone>+1555</Phone></Dial></Response>', 'Phone'],
    ['Conference with another noun', '<Response><Dial><Conference>r</Conference><Number>+15551234567</Number></Dial></Response>', 'Dial'],
    ['a child of Hangup', '<Response><Hangup><Say>x</Say></Hangup></Response>', 'Say'],
    ['an element inside Play', '<Response><Play><Say>x</Say></Play></Response>', 'Say'],
    ['an unknown SSML element in Say', '<Response><Say>Hi <blink>there</blink></Say></Response>', 'blink'],
    ['Connect without Stream', '<Response><Connect/></Response>', 'Connect'],
    ['Connect with Room', '<Response><Connect><Room>r</Room></Connect></Response>', 'Room'],
  ])('misplaced element: %s', (_name, xml, element) => {
    const err = errorOf(xml);
    expect(err.code).toBe(12200);
    expect(err.element).toBe(element);
    expect(err.message).toContain(`<${element}>`);
  });

  it.each([
    ['text in Response', '<Response>Hello</Response>', 'Response'],
    ['text in Hangup', '<Response><Hangup>now</Hangup></Response>', 'Hangup'],
    ['text in Pause', '<Response><Pause>3</Pause></Response>', 'Pause'],
    ['text in Gather', '<Response><Gather>Press 1</Gather></Response>', 'Gather'],
    ['text in Record', '<Response><Record>go</Record></Response>', 'Record'],
    ['Redirect without URL', '<Response><Redirect/></Response>', 'Redirect'],
    ['Play without URL or digits', '<Response><Play/></Response>', 'Play'],
    ['Dial with no one to call', '<Response><Dial/></Response>', 'Dial'],
    ['Dial with a bad number', '<Response><Dial>call mom</Dial></Response>', 'Dial'],
    ['Sip that is not a SIP URI', '<Response><Dial><Sip>bob@example.com</Sip></Dial></Response>', 'Sip'],
    ['Enqueue without queue name', '<Response><Enqueue/></Response>', 'Enqueue'],
  ])('text: %s', (_name, xml, element) => {
    const err = errorOf(xml);
    expect(err.code).toBe(12200);
    expect(err.element).toBe(element);
  });

  it('gives the path of the element at fault', () => {
    const err = errorOf('<Response><Say>a</Say><Gather><Say>b</Say><Say loop="x">c</Say></Gather></Response>');
    expect(err.path).toBe('/Response[1]/Gather[1]/Say[2]');
    expect(err.message).toContain('/Response[1]/Gather[1]/Say[2]');
  });

  it('a bad URL with a base is refused; without a base a relative URL is kept and noted', () => {
    expect(errorOf('<Response><Redirect>http://[bad</Redirect></Response>', 'http://a.example/').code).toBe(12200);
    const doc = parseInstructions('<Response><Redirect>next</Redirect></Response>');
    expect(doc.verbs[0]).toEqual({ verb: 'Redirect', url: 'next', method: 'POST' });
    expect(doc.warnings).toEqual([expect.objectContaining({ element: 'Redirect' })]);
  });
});

describe('tolerated input', () => {
  it("Twilio's verbs that dialtone does not run are skipped with a warning; the verbs around them stay", async () => {
    const twilio = (await import('twilio')).default;
    const r = new twilio.twiml.VoiceResponse();
    r.say('Before.');
    r.sms('A text message.');
    r.pay({ chargeAmount: '1.00' });
    r.echo();
    r.start().stream({ url: 'wss://a.example/s' });
    r.say('After.');
    const doc = parseInstructions(r.toString());
    expect(doc.verbs.map((v) => v.verb)).toEqual(['Say', 'Say']);
    expect(doc.warnings.map((w) => w.element)).toEqual(['Sms', 'Pay', 'Echo', 'Start']);
    expect(doc.warnings[0]?.message).toContain('not supported');
  });

  it('a Sip URI with headers: the X- ones are kept for the INVITE, others noted and dropped', () => {
    const doc = parseInstructions('<Response><Dial><Sip>sip:bob@pbx.example.com;transport=tcp?X-Account=42&amp;X-Note=a%20b&amp;Priority=urgent</Sip></Dial></Response>');
    expect(doc.verbs[0]).toMatchObject({ verb: 'Dial', nouns: [{ noun: 'Sip', uri: 'sip:bob@pbx.example.com;transport=tcp', headers: { 'X-Account': '42', 'X-Note': 'a b' } }] });
    expect(doc.warnings.map((w) => w.message)).toEqual([expect.stringContaining('"Priority"')]);
  });

  it('unknown attributes are ignored and listed as warnings', () => {
    const doc = parseInstructions('<Response><Say voice="man" rate="fast" xmlns:x="urn:x">Hi</Say><Hangup reason="x"/></Response>');
    expect(doc.verbs).toEqual([
      { verb: 'Say', text: 'Hi', voice: 'man', language: undefined, loop: 1, ssml: false },
      { verb: 'Hangup' },
    ]);
    expect(doc.warnings).toEqual([
      { message: expect.stringContaining('rate'), element: 'Say', attribute: 'rate', path: '/Response[1]/Say[1]' },
      { message: expect.stringContaining('reason'), element: 'Hangup', attribute: 'reason', path: '/Response[1]/Hangup[1]' },
    ]);
  });

  it('comments, CDATA, entities, a BOM and the XML declaration', () => {
    const xml = '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- menu -->\n<Response>\n  <!-- greet -->\n  <Say>Caf&#233; &amp; <![CDATA[<bar>]]> &#x263A;</Say>\n</Response>\n';
    const doc = parseInstructions(xml);
    expect(doc.verbs).toEqual([{ verb: 'Say', text: 'Café & <bar> ☺', voice: undefined, language: undefined, loop: 1, ssml: false }]);
  });

  it('an empty Response has no verbs; method values are case-insensitive', () => {
    expect(parseInstructions('<Response/>').verbs).toEqual([]);
    expect(parseInstructions('<Response><Redirect method="get">http://a.example/x</Redirect></Response>').verbs[0]).toMatchObject({ method: 'GET' });
  });

  it('a large document parses quickly and completely', () => {
    const parts: string[] = [];
    for (let i = 0; i < 5000; i++) parts.push(`<Say loop="1" voice="alice">Item number ${i}</Say><Pause length="1"/>`);
    const xml = `<Response>${parts.join('')}<Hangup/></Response>`;
    const start = performance.now();
    const doc = parseInstructions(xml, { baseUrl: 'http://a.example/' });
    const ms = performance.now() - start;
    expect(doc.verbs).toHaveLength(10_001);
    expect(doc.verbs[9998]).toMatchObject({ verb: 'Say', text: 'Item number 4999' });
    expect(ms).toBeLessThan(3000);
  });

  it('a document over the size limit is refused without parsing', () => {
    const xml = `<Response><Say>${'a'.repeat((1 << 20) + 1)}</Say></Response>`;
    expect(errorOf(xml).code).toBe(12100);
  });
});
