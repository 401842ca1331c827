/**
 * A registered contact's flow lives only as long as its connection: a
 * REGISTER that the application answers after the client's WebSocket has
 * closed does not tie the contact to that dead connection.
 */
import { afterEach, expect, test } from 'vitest';
import type Srf from 'drachtio-srf';
import { route } from '../../support/sip-server-harness.js';
import { register, startWsServer, type WsServer } from './ws-fixture.js';
import { WsSipClient } from './ws-sip-client.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function until(cond: () => boolean, what: string): Promise<void> {
  await expect.poll(cond, { timeout: 5000, message: what }).toBe(true);
}

test('a REGISTER answered 200 after its WebSocket closed leaves no flow behind', async () => {
  let answerFirstAtOnce = true;
  const held: Array<(cb: () => void) => void> = [];
  const s: WsServer = await startWsServer({
    routes: (srf: Srf) =>
      route(srf, 'register', (req, res) => {
        const contact = req.get('Contact').replace(/>.*$/, '>');
        const ok = (cb: () => void): void => {
          res.send(200, 'OK', { headers: { Contact: `${contact};expires=600` } }, () => cb());
        };
        if (answerFirstAtOnce) ok(() => undefined);
        else held.push(ok);
      }),
  });
  cleanup.push(() => s.stop());

  const c = await WsSipClient.connect(s.url.ws, { user: 'late' });
  const first = `reg-late-1-${c.host}`;
  c.send(register(c, first));
  expect((await c.finalResponse(first, 'REGISTER')).status).toBe(200);
  expect(s.server.stats().registeredFlows).toBe(1);

  // The refresh reaches the application, which answers only after the browser has gone.
  answerFirstAtOnce = false;
  c.send(register(c, `reg-late-2-${c.host}`));
  await until(() => held.length === 1, 'the refresh REGISTER to reach the application');
  c.socket.terminate();
  await c.closed;
  await until(() => s.server.stats().registeredFlows === 0, 'the closed connection to drop its flow');

  await new Promise<void>((resolve) => held[0]!(resolve));
  expect(s.server.stats().registeredFlows).toBe(0);
});
