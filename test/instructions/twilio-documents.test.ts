import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { parseInstructions, type Verb } from '../../instructions/index.js';

const { VoiceResponse } = twilio.twiml;
const BASE = 'https://app.example.com:8443/ivr/start?x=1';

/** Parses what the twilio library's VoiceResponse produced. */
function parse(response: InstanceType<typeof VoiceResponse>): Verb[] {
  const doc = parseInstructions(response.toString(), { baseUrl: BASE });
  expect(doc.warnings).toEqual([]);
  return [...doc.verbs];
}

describe('documents built with twilio VoiceResponse', () => {
  it('Say with every attribute, and with defaults', () => {
    const r = new VoiceResponse();
    r.say({ voice: 'Polly.Joanna', language: 'en-GB', loop: 3 }, 'Hello & <welcome>');
    r.say('Plain');
    expect(parse(r)).toEqual([
      { verb: 'Say', text: 'Hello & <welcome>', voice: 'Polly.Joanna', language: 'en-GB', loop: 3, ssml: false },
      { verb: 'Say', text: 'Plain', voice: undefined, language: undefined, loop: 1, ssml: false },
    ]);
  });

  it('Say with SSML is flattened and flagged', () => {
    const r = new VoiceResponse();
    const say = r.say('Please');
    say.prosody({ rate: 'slow' }, 'hold the line');
    const doc = parseInstructions(r.toString());
    expect(doc.verbs[0]).toMatchObject({ verb: 'Say', text: 'Please hold the line', ssml: true });
    expect(doc.warnings.map((w) => w.element)).toEqual(['Say']);
  });

  it('Play with loop and URL, Play with digits only', () => {
    const r = new VoiceResponse();
    r.play({ loop: 0 }, 'sounds/beep.wav');
    r.play({ digits: 'ww1234#' });
    expect(parse(r)).toEqual([
      { verb: 'Play', url: 'https://app.example.com:8443/ivr/sounds/beep.wav', digits: undefined, loop: 0 },
      { verb: 'Play', url: undefined, digits: 'ww1234#', loop: 1 },
    ]);
  });

  it('Pause with length and default', () => {
    const r = new VoiceResponse();
    r.pause({ length: 7 });
    r.pause();
    expect(parse(r)).toEqual([
      { verb: 'Pause', length: 7 },
      { verb: 'Pause', length: 1 },
    ]);
  });

  it('Gather with every attribute and nested prompts in order', () => {
    const r = new VoiceResponse();
    const g = r.gather({
      action: '/menu/choice',
      method: 'GET',
      timeout: 9,
      finishOnKey: '*',
      numDigits: 4,
      input: ['dtmf'],
      actionOnEmptyResult: true,
    });
    g.say('Enter your PIN');
    g.pause({ length: 2 });
    g.play('https://cdn.example.com/a.mp3');
    expect(parse(r)).toEqual([
      {
        verb: 'Gather',
        action: 'https://app.example.com:8443/menu/choice',
        method: 'GET',
        timeout: 9,
        finishOnKey: '*',
        numDigits: 4,
        input: ['dtmf'],
        speechRequested: false,
        actionOnEmptyResult: true,
        prompts: [
          { verb: 'Say', text: 'Enter your PIN', voice: undefined, language: undefined, loop: 1, ssml: false },
          { verb: 'Pause', length: 2 },
          { verb: 'Play', url: 'https://cdn.example.com/a.mp3', digits: undefined, loop: 1 },
        ],
      },
    ]);
  });

  it('Gather defaults follow Twilio; an empty finishOnKey is kept', () => {
    const r = new VoiceResponse();
    r.gather();
    r.gather({ finishOnKey: '' });
    const [a, b] = parse(r);
    expect(a).toEqual({
      verb: 'Gather',
      action: undefined,
      method: 'POST',
      timeout: 5,
      finishOnKey: '#',
      numDigits: undefined,
      input: ['dtmf'],
      speechRequested: false,
      actionOnEmptyResult: false,
      prompts: [],
    });
    expect(b).toMatchObject({ finishOnKey: '' });
  });

  it('Gather with speech input is accepted but flagged', () => {
    const r = new VoiceResponse();
    r.gather({ input: ['dtmf', 'speech'] });
    const doc = parseInstructions(r.toString());
    expect(doc.verbs[0]).toMatchObject({ input: ['dtmf', 'speech'], speechRequested: true });
    expect(doc.warnings).toEqual([expect.objectContaining({ element: 'Gather', attribute: 'input' })]);
  });

  it('Record with every attribute, and with defaults', () => {
    const r = new VoiceResponse();
    r.record({
      action: 'done',
      method: 'GET',
      timeout: 0,
      maxLength: 30,
      finishOnKey: '*#',
      playBeep: false,
      trim: 'do-not-trim',
      recordingStatusCallback: '/rec-status',
      recordingStatusCallbackMethod: 'GET',
      recordingStatusCallbackEvent: ['in-progress', 'completed', 'absent'],
    });
    r.record();
    expect(parse(r)).toEqual([
      {
        verb: 'Record',
        action: 'https://app.example.com:8443/ivr/done',
        method: 'GET',
        timeout: 0,
        maxLength: 30,
        finishOnKey: '*#',
        playBeep: false,
        trim: 'do-not-trim',
        recordingStatusCallback: 'https://app.example.com:8443/rec-status',
        recordingStatusCallbackMethod: 'GET',
        recordingStatusCallbackEvent: ['in-progress', 'completed', 'absent'],
      },
      {
        verb: 'Record',
        action: undefined,
        method: 'POST',
        timeout: 5,
        maxLength: 3600,
        finishOnKey: '1234567890*#',
        playBeep: true,
        trim: 'trim-silence',
        recordingStatusCallback: undefined,
        recordingStatusCallbackMethod: 'POST',
        recordingStatusCallbackEvent: ['completed'],
      },
    ]);
  });

  it('Hangup, Reject (both reasons and default), Redirect (method, default, relative URL)', () => {
    const r = new VoiceResponse();
    r.reject({ reason: 'busy' });
    r.reject();
    r.redirect({ method: 'GET' }, '../other?step=2');
    r.redirect('https://elsewhere.example.org/x');
    r.hangup();
    expect(parse(r)).toEqual([
      { verb: 'Reject', reason: 'busy' },
      { verb: 'Reject', reason: 'rejected' },
      { verb: 'Redirect', url: 'https://app.example.com:8443/other?step=2', method: 'GET' },
      { verb: 'Redirect', url: 'https://elsewhere.example.org/x', method: 'POST' },
      { verb: 'Hangup' },
    ]);
  });

  it('Dial with attributes and Number, Sip, Client nouns', () => {
    const r = new VoiceResponse();
    const d = r.dial({
      action: '/after-dial',
      method: 'GET',
      timeout: 20,
      callerId: '+15550001111',
      timeLimit: 600,
      hangupOnStar: true,
      record: 'record-from-answer-dual',
      answerOnBridge: true,
    });
    d.number({ url: 'whisper', method: 'GET', sendDigits: 'ww12' }, '+1 (555) 123-4567');
    d.sip({ username: 'alice', password: 's3cret', url: 'https://hooks.example.com/sip' }, 'sip:bob@pbx.example.com;transport=tcp');
    d.client('agent-7');
    const [dial] = parse(r);
    expect(dial).toMatchObject({
      verb: 'Dial',
      action: 'https://app.example.com:8443/after-dial',
      method: 'GET',
      timeout: 20,
      callerId: '+15550001111',
      timeLimit: 600,
      hangupOnStar: true,
      record: 'record-from-answer-dual',
      answerOnBridge: true,
      nouns: [
        { noun: 'Number', number: '+1 (555) 123-4567', url: 'https://app.example.com:8443/ivr/whisper', method: 'GET', sendDigits: 'ww12' },
        { noun: 'Sip', uri: 'sip:bob@pbx.example.com;transport=tcp', username: 'alice', password: 's3cret', url: 'https://hooks.example.com/sip', method: 'POST' },
        { noun: 'Client', identity: 'agent-7', parameters: [] },
      ],
    });
  });

  it('Dial defaults, a bare number, Conference and Queue', () => {
    const r = new VoiceResponse();
    r.dial('+15557654321');
    r.dial().conference({ muted: true, beep: 'onEnter', startConferenceOnEnter: false, endConferenceOnExit: true, maxParticipants: 10 }, 'room-1');
    r.dial().queue({ url: 'about-to-connect' }, 'support');
    const [bare, conf, queue] = parse(r);
    expect(bare).toMatchObject({
      verb: 'Dial',
      method: 'POST',
      timeout: 30,
      timeLimit: 14400,
      hangupOnStar: false,
      record: 'do-not-record',
      answerOnBridge: false,
      sequential: false,
      nouns: [{ noun: 'Number', number: '+15557654321' }],
    });
    expect(conf).toMatchObject({
      nouns: [{ noun: 'Conference', name: 'room-1', muted: true, beep: 'onEnter', startConferenceOnEnter: false, endConferenceOnExit: true, maxParticipants: 10 }],
    });
    expect(queue).toMatchObject({ nouns: [{ noun: 'Queue', name: 'support', url: 'https://app.example.com:8443/ivr/about-to-connect', method: 'POST' }] });
  });

  it('Enqueue, Leave, Connect/Stream with parameters', () => {
    const r = new VoiceResponse();
    r.enqueue({ action: 'left-queue', waitUrl: 'hold-music', waitUrlMethod: 'GET', maxQueueSize: 20 }, 'sales');
    r.leave();
    const stream = r.connect({ action: '/stream-ended' }).stream({ url: 'wss://media.example.com/ws', name: 'bot', track: 'both_tracks' });
    stream.parameter({ name: 'customer', value: '42' });
    expect(parse(r)).toEqual([
      {
        verb: 'Enqueue',
        queueName: 'sales',
        action: 'https://app.example.com:8443/ivr/left-queue',
        method: 'POST',
        waitUrl: 'https://app.example.com:8443/ivr/hold-music',
        waitUrlMethod: 'GET',
        maxQueueSize: 20,
      },
      { verb: 'Leave' },
      {
        verb: 'Connect',
        action: 'https://app.example.com:8443/stream-ended',
        method: 'POST',
        stream: {
          noun: 'Stream',
          url: 'wss://media.example.com/ws',
          name: 'bot',
          track: 'both_tracks',
          statusCallback: undefined,
          statusCallbackMethod: 'POST',
          parameters: [{ name: 'customer', value: '42' }],
        },
      },
    ]);
  });

  it('keeps document order across many verbs of mixed kinds', () => {
    const r = new VoiceResponse();
    const expected: string[] = [];
    for (let i = 0; i < 30; i++) {
      if (i % 3 === 0) {
        r.say(`line ${i}`);
        expected.push(`Say:line ${i}`);
      } else if (i % 3 === 1) {
        r.pause({ length: i });
        expected.push(`Pause:${i}`);
      } else {
        r.play(`/audio/${i}.wav`);
        expected.push(`Play:https://app.example.com:8443/audio/${i}.wav`);
      }
    }
    const got = parse(r).map((v) => {
      if (v.verb === 'Say') return `Say:${v.text}`;
      if (v.verb === 'Pause') return `Pause:${v.length}`;
      if (v.verb === 'Play') return `Play:${v.url ?? ''}`;
      return v.verb;
    });
    expect(got).toEqual(expected);
  });
});
