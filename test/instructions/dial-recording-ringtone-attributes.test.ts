/**
 * <Dial ringTone recordingTrack trim record>: documents written with the
 * twilio library's VoiceResponse, read as Twilio defines them: ringTone is
 * one of Twilio's country codes (anything else is a warning and the
 * automatic ringback), recordingTrack inbound/outbound/both (default both),
 * trim trim-silence/do-not-trim (default do-not-trim for <Dial>).
 */
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { InstructionError, parseInstructions, type InstructionDocument } from '../../instructions/index.js';
import type { DialVerb } from '../../instructions/verbs/dial.js';
import { parseErrorOf } from './parse-error.js';

const { VoiceResponse } = twilio.twiml;
const BASE = 'https://app.example.com/ivr';

/** Twilio's accepted ringTone values, as its <Dial> documentation lists them. */
const TWILIO_RING_TONES = [
  'at', 'au', 'bg', 'br', 'be', 'ch', 'cl', 'cn', 'cz', 'de', 'dk', 'ee', 'es', 'fi', 'fr', 'gr', 'hu', 'il', 'in', 'it',
  'lt', 'jp', 'mx', 'my', 'nl', 'no', 'nz', 'ph', 'pl', 'pt', 'ru', 'se', 'sg', 'th', 'uk', 'us', 'us-old', 'tw', 've', 'za',
] as const;

function parsed(r: InstanceType<typeof VoiceResponse>): { doc: InstructionDocument; dial: DialVerb } {
  const doc = parseInstructions(r.toString(), { baseUrl: BASE });
  const [dial] = doc.verbs;
  if (dial?.verb !== 'Dial') throw new Error('no Dial');
  return { doc, dial };
}

const errorOf = (xml: string): InstructionError => parseErrorOf(xml, BASE);

describe('<Dial> ringTone, recordingTrack and trim', () => {
  it('defaults: no ringTone (the automatic ringback), recordingTrack both, trim do-not-trim', () => {
    const r = new VoiceResponse();
    r.dial({ record: 'record-from-ringing' }, '+15557654321');
    const { doc, dial } = parsed(r);
    expect(doc.warnings).toEqual([]);
    expect(dial.ringTone).toBeUndefined();
    expect(dial).toMatchObject({ record: 'record-from-ringing', recordingTrack: 'both', trim: 'do-not-trim' });
  });

  it.each(TWILIO_RING_TONES)('ringTone="%s" is one of the countries', (tone) => {
    const r = new VoiceResponse();
    r.dial({ ringTone: tone }).sip('sip:bob@pbx.example.com');
    const { doc, dial } = parsed(r);
    expect(doc.warnings).toEqual([]);
    expect(dial.ringTone).toBe(tone);
  });

  it('an unknown ringTone is a warning (Twilio 13220) naming the attribute; the Dial still runs, with the automatic ringback', () => {
    const doc = parseInstructions('<Response><Dial ringTone="xx" timeout="12">+15557654321</Dial><Say>after</Say></Response>', { baseUrl: BASE });
    const [dial, say] = doc.verbs;
    expect(dial).toMatchObject({ verb: 'Dial', timeout: 12, ringTone: undefined });
    expect(say).toMatchObject({ verb: 'Say', text: 'after' });
    expect(doc.warnings).toEqual([{ element: 'Dial', attribute: 'ringTone', path: '/Response[1]/Dial[1]', message: expect.stringContaining('13220') }]);
    expect(doc.warnings[0]?.message).toContain('"xx"');
  });

  it('ringTone in capitals names the same country', () => {
    const { doc, dial } = parsed(
      (() => {
        const r = new VoiceResponse();
        r.dial({ ringTone: 'UK' as 'uk' }, '+442079460000');
        return r;
      })(),
    );
    expect(doc.warnings).toEqual([]);
    expect(dial.ringTone).toBe('uk');
  });

  it.each(['inbound', 'outbound', 'both'] as const)('recordingTrack="%s" with record-from-answer-dual and trim-silence', (track) => {
    const r = new VoiceResponse();
    r.dial({ record: 'record-from-answer-dual', recordingTrack: track, trim: 'trim-silence', recordingStatusCallback: 'rec' }).number('+15551230000');
    const { doc, dial } = parsed(r);
    expect(doc.warnings).toEqual([]);
    expect(dial).toMatchObject({ record: 'record-from-answer-dual', recordingTrack: track, trim: 'trim-silence', recordingStatusCallback: 'https://app.example.com/rec' });
  });

  it('record-from-ringing-dual and trim="do-not-trim" as written', () => {
    const r = new VoiceResponse();
    r.dial({ record: 'record-from-ringing-dual', trim: 'do-not-trim', ringTone: 'de' }).client('agent');
    expect(parsed(r).dial).toMatchObject({ record: 'record-from-ringing-dual', trim: 'do-not-trim', ringTone: 'de', recordingTrack: 'both' });
  });

  it.each([
    ['recordingTrack', '<Response><Dial recordingTrack="caller">+15557654321</Dial></Response>'],
    ['trim', '<Response><Dial trim="trim-all">+15557654321</Dial></Response>'],
  ])('a %s outside its values is a 12200 error naming the attribute', (attribute, xml) => {
    const err = errorOf(xml);
    expect(err.code).toBe(12200);
    expect(err).toMatchObject({ element: 'Dial', attribute });
  });
});
