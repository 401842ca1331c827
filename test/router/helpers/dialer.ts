/**
 * The engine and caller of <Dial> tests: an application 'dialer' whose
 * document is served at /voice (the test's own), leg status callbacks at
 * /leg-status, recording callbacks at /rec-status, and a Dial action at
 * /dialed that hangs up; a caller with an RTP socket of the test.
 */
import { noContent, respond } from './app-server.js';
import { CallerMedia } from './caller-media.js';
import { startRouter, type RouterHarness } from './router-harness.js';

type Cleanup = (fn: () => Promise<void> | void) => void;

export async function startDialer(onTestFinished: Cleanup, router: Omit<Parameters<typeof startRouter>[0], 'applications'> = {}): Promise<{ h: RouterHarness; caller: CallerMedia }> {
  const h = await startRouter({ applications: [{ id: 'dialer', voice: '/voice' }], ...router });
  onTestFinished(() => h.stop());
  const caller = await CallerMedia.open();
  onTestFinished(() => caller.close());
  h.app.on('/leg-status', noContent());
  h.app.on('/rec-status', noContent());
  h.app.on('/dialed', respond('<Hangup/>'));
  return { h, caller };
}
