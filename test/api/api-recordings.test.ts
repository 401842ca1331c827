import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApi, type ApiHarness } from './api-harness.js';
import { ACCOUNT, OTHER_ACCOUNT } from './in-memory-services.js';

interface RecordingList {
  recordings: Record<string, unknown>[];
  next_page_uri: string | null;
  page_size: number;
  uri: string;
}

let api: ApiHarness;
let dir: string;
const CALL_A = 'CA' + 'a'.repeat(32);
const CALL_B = 'CA' + 'b'.repeat(32);
const WAV = Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'), Buffer.alloc(200, 7)]);
const rec: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dialtone-api-rec-'));
  const file = join(dir, 'one.wav');
  await writeFile(file, WAV);
  api = await startApi();
  const r = api.recordings;
  rec.a1 = r.add({ callSid: CALL_A, dateCreated: new Date('2024-07-01T10:00:00Z'), startTime: new Date('2024-07-01T09:59:50Z'), durationSeconds: 10 }, file).sid;
  rec.a2 = r.add({ callSid: CALL_A, dateCreated: new Date('2024-07-02T10:00:00Z'), status: 'in-progress' }).sid;
  rec.b1 = r.add({ callSid: CALL_B, dateCreated: new Date('2024-07-03T10:00:00Z'), channels: 2, source: 'DialVerb' }, join(dir, 'missing.wav')).sid;
  rec.other = r.add({ callSid: CALL_B, accountSid: OTHER_ACCOUNT, dateCreated: new Date('2024-07-03T11:00:00Z') }, file).sid;
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

async function list(path: string): Promise<RecordingList> {
  const res = await api.request(path);
  expect(res.status).toBe(200);
  return (await res.json()) as RecordingList;
}

describe('GET /Recordings.json', () => {
  test("the account's recordings, newest first, in Twilio's shape", async () => {
    const page = await list('/Recordings.json');
    expect(page.recordings.map((r) => r.sid)).toEqual([rec.b1, rec.a2, rec.a1]);
    expect(page.recordings[2]).toEqual({
      sid: rec.a1,
      account_sid: ACCOUNT,
      call_sid: CALL_A,
      conference_sid: null,
      date_created: 'Mon, 01 Jul 2024 10:00:00 +0000',
      date_updated: 'Mon, 01 Jul 2024 10:00:00 +0000',
      start_time: 'Mon, 01 Jul 2024 09:59:50 +0000',
      duration: '10',
      channels: 1,
      source: 'RecordVerb',
      status: 'completed',
      price: null,
      price_unit: 'USD',
      track: 'both',
      uri: `/2010-04-01/Accounts/${ACCOUNT}/Recordings/${rec.a1}.json`,
      media_url: `http://127.0.0.1:8089/recordings/${rec.a1}`,
      error_code: null,
      encryption_details: null,
      api_version: '2010-04-01',
      subresource_uris: {},
    });
    expect(page.recordings[1]?.duration).toBe('-1');
    expect(page.recordings[0]).toMatchObject({ channels: 2, source: 'DialVerb' });
  });

  test('CallSid, DateCreated, DateCreated< and DateCreated> filter', async () => {
    const sids = async (q: string): Promise<unknown[]> => (await list(`/Recordings.json?${q}`)).recordings.map((r) => r.sid);
    expect(await sids(`CallSid=${CALL_A}`)).toEqual([rec.a2, rec.a1]);
    expect(api.recordings.listed.at(-1)).toEqual({ accountSid: ACCOUNT, filter: { callSid: CALL_A } });
    expect(await sids('DateCreated=2024-07-02')).toEqual([rec.a2]);
    expect(await sids('DateCreated%3C=2024-07-02')).toEqual([rec.a2, rec.a1]);
    expect(await sids('DateCreated%3E=2024-07-02')).toEqual([rec.b1, rec.a2]);
    expect(await sids(`CallSid=${CALL_A}&DateCreated%3E=2024-07-02`)).toEqual([rec.a2]);
  });

  test('pages with PageSize=1 through next_page_uri', async () => {
    const seen: unknown[] = [];
    let next: string | null = '/Recordings.json?PageSize=1';
    while (next !== null) {
      const page: RecordingList = await list(next);
      expect(page.page_size).toBe(1);
      seen.push(...page.recordings.map((r) => r.sid));
      next = page.next_page_uri;
    }
    expect(seen).toEqual([rec.b1, rec.a2, rec.a1]);
  });

  test('DateCreated that is not a date is 400', async () => {
    const res = await api.request('/Recordings.json?DateCreated=July');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('DateCreated');
  });

  test('GET /Calls/{CallSid}/Recordings.json lists that call\'s recordings', async () => {
    const page = await list(`/Calls/${CALL_B}/Recordings.json`);
    expect(page.recordings.map((r) => r.sid)).toEqual([rec.b1]);
    expect(page.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Calls/${CALL_B}/Recordings.json?PageSize=50&Page=0`);
  });
});

describe('GET /Recordings/{Sid}', () => {
  test('.json fetches one recording', async () => {
    const res = await api.request(`/Recordings/${rec.a1}.json`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { call_sid: string }).call_sid).toBe(CALL_A);
  });

  test.each(['.wav', ''])('%s serves the audio as audio/x-wav', async (ext) => {
    const res = await api.request(`/Recordings/${rec.a1}${ext}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/x-wav');
    expect(res.headers.get('content-length')).toBe(String(WAV.length));
    expect(Buffer.from(await res.arrayBuffer())).toEqual(WAV);
  });

  test.each([
    ['a recording whose file is absent', () => `/Recordings/${rec.b1}.wav`],
    ['a recording with no file at all', () => `/Recordings/${rec.a2}.wav`],
    ["another account's recording", () => `/Recordings/${rec.other}.wav`],
    ['an unknown recording', () => `/Recordings/RE${'0'.repeat(32)}.wav`],
    ['an unknown recording (.json)', () => `/Recordings/RE${'0'.repeat(32)}.json`],
    ['the mp3 of a recording whose file is absent', () => `/Recordings/${rec.b1}.mp3`],
    ['the mp3 of an unknown recording', () => `/Recordings/RE${'0'.repeat(32)}.mp3`],
  ])('%s is 404 JSON', async (_what, path) => {
    const res = await api.request(path());
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: number }).code).toBe(20404);
  });

  test('with publicUrl, media_url points at the API\'s own recording resource', async () => {
    const other = await startApi({ publicUrl: 'https://voice.example.com/' });
    try {
      const r = other.recordings.add({ callSid: CALL_A });
      const res = await other.request(`/Recordings/${r.sid}.json`);
      expect(((await res.json()) as { media_url: string }).media_url).toBe(`https://voice.example.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/${r.sid}`);
    } finally {
      await other.close();
    }
  });
});
