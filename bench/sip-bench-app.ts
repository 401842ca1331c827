/**
 * The application side of the SIP benchmark, run as a child process: a
 * drachtio-srf application that answers every INVITE 200 with SDP through
 * createUAS (so its dialog answers the caller's BYE). It reports readiness and,
 * on request, its CPU time and memory to the parent over IPC.
 */
import Srf from 'drachtio-srf';

const SDP = 'v=0\r\no=bench 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 42000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

const host = process.env.BENCH_ADMIN_HOST ?? '127.0.0.1';
const port = Number(process.env.BENCH_ADMIN_PORT);
const secret = process.env.BENCH_ADMIN_SECRET ?? 'cymru';

let answered = 0;
const srf = new Srf();
srf.on('error', (err: Error) => process.send?.({ type: 'error', message: err.message }));
srf.invite((req, res) => {
  srf
    .createUAS(req, res, { localSdp: SDP })
    .then(() => {
      answered++;
    })
    .catch(() => undefined);
});
srf.on('connect', (err: Error | null) => {
  if (err) process.send?.({ type: 'error', message: err.message });
  else process.send?.({ type: 'ready' });
});
srf.connect({ host, port, secret });

process.on('message', (msg: { type?: string }) => {
  if (msg?.type === 'usage') {
    process.send?.({ type: 'usage', cpu: process.cpuUsage(), memory: process.memoryUsage(), answered });
  } else if (msg?.type === 'exit') {
    srf.disconnect();
    process.exit(0);
  }
});
