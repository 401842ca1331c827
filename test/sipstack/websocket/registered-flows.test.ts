/** The table of contacts registered over a connection: expiry, removal, closed connections, bound. */
import { afterEach, expect, test } from 'vitest';
import { RegisteredFlows } from '../../../engine/sipstack/core/registered-flows.js';
import type { SendTarget } from '../../../engine/sipstack/transport/types.js';

let now = 1_000_000;
const tables: RegisteredFlows[] = [];
afterEach(() => {
  for (const t of tables.splice(0)) t.destroy();
});

function table(maxEntries?: number): RegisteredFlows {
  const t = new RegisteredFlows({ maxEntries, now: () => now });
  tables.push(t);
  return t;
}

const on = (connectionId: string, port = 40000): SendTarget => ({ protocol: 'ws', remote: { address: '127.0.0.1', port }, connectionId });

test('a contact is found until its expiry; the host compares case-insensitively, the user exactly', () => {
  const t = table();
  t.remember('xyz', 'AbCd.invalid', 60, on('ws-1'));
  expect(t.find('xyz', 'abcd.invalid')).toEqual(on('ws-1'));
  expect(t.find('XYZ', 'abcd.invalid')).toBeUndefined();
  expect(t.holds('ws-1')).toBe(true);
  now += 59_999;
  expect(t.find('xyz', 'abcd.invalid')?.connectionId).toBe('ws-1');
  now += 1;
  expect(t.find('xyz', 'abcd.invalid')).toBeUndefined();
  expect(t.holds('ws-1')).toBe(false);
});

test('expires 0 forgets; a re-registration moves the contact to the new connection', () => {
  const t = table();
  t.remember('a', 'h.invalid', 60, on('ws-1'));
  t.remember('a', 'h.invalid', 60, on('ws-2', 40001));
  expect(t.find('a', 'h.invalid')?.connectionId).toBe('ws-2');
  expect(t.holds('ws-1')).toBe(false);
  t.remember('a', 'h.invalid', 0, on('ws-2', 40001));
  expect(t.size).toBe(0);
});

test('a closed connection drops its contacts only; the sweep removes expired ones; the table is bounded', () => {
  const t = table(3);
  t.remember('a', 'h.invalid', 60, on('ws-1'));
  t.remember('b', 'h.invalid', 60, on('ws-1'));
  t.remember('c', 'h.invalid', 10, on('ws-2'));
  t.dropConnection('ws-1');
  expect(t.size).toBe(1);
  now += 10_000;
  t.sweep();
  expect(t.size).toBe(0);
  for (const u of ['a', 'b', 'c', 'd']) t.remember(u, 'h.invalid', 60, on(`ws-${u}`));
  expect(t.size).toBe(3);
  expect(t.find('a', 'h.invalid')).toBeUndefined();
  expect(t.find('d', 'h.invalid')?.connectionId).toBe('ws-d');
});
