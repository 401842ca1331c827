import { createResponse } from '../message/response.js';
import { SipRequest, SipResponse } from '../message/sip-message.js';
import { parseNameAddr } from '../message/name-addr.js';
import { parseUri } from '../message/uri.js';
import { ClientInviteTransaction } from '../transaction/client-invite.js';
import type { ClientTransaction } from '../transaction/transaction-layer.js';
import type { SendTarget } from '../transport/types.js';
import type { AppConnection } from '../wire/app-connection.js';
import type { WirePayload } from '../wire/wire-message.js';
import type { CoreState, InboundTxn } from './core-state.js';
import { parseProxyOptions, type ProxyOptions } from './proxy-options.js';
import { resolveTarget } from './target-resolver.js';
import { describe } from './wire-meta.js';

interface Branch {
  uri: string;
  tx?: ClientTransaction;
  timer?: NodeJS.Timeout;
  gotProvisional: boolean;
  done: boolean;
}

/**
 * A stateful proxy (RFC 3261 §16) for drachtio-srf's proxyRequest: the
 * request from the network is forwarded to the application's destinations,
 * one after another (serial) or all at once (simultaneous), provisional
 * responses are relayed upstream, the first 2xx wins and the other branches
 * are cancelled, and when every branch failed the best final response goes
 * upstream (§16.7, §16.6). With remainInDialog a Record-Route keeps later
 * requests of the dialog coming through the server.
 */
export class ProxyCore {
  private readonly jobs = new Map<InboundTxn, ProxyJob>();

  constructor(private readonly core: CoreState) {}

  start(app: AppConnection, msg: WirePayload, template: SipRequest | undefined): void {
    const opts = parseProxyOptions(msg);
    if (typeof opts === 'string') {
      app.respond(msg.msgId, false, opts);
      return;
    }
    const inbound = this.core.inbound.get(opts.transactionId);
    if (!inbound || inbound.tx.hasFinalResponse) {
      app.respond(msg.msgId, false, 'unknown transaction id: the request has already been answered or does not exist');
      return;
    }
    // §16.3 step 3: Max-Forwards 0 means the request goes no further.
    const maxForwards = Number(inbound.request.headers.get('max-forwards') ?? '70');
    if (maxForwards <= 0) {
      inbound.tx.respond(createResponse(inbound.request, 483));
      app.respond(msg.msgId, false, 'Too Many Hops');
      return;
    }
    const job = new ProxyJob(this.core, inbound, opts, app, msg.msgId, template, () => this.jobs.delete(inbound));
    this.jobs.set(inbound, job);
    job.run();
  }

  /** A CANCEL for a request being proxied (§16.10): every pending branch is cancelled. */
  cancel(inbound: InboundTxn): boolean {
    const job = this.jobs.get(inbound);
    if (!job) return false;
    job.cancelAll();
    return true;
  }

  isProxied(inbound: InboundTxn): boolean {
    return this.jobs.has(inbound);
  }
}

class ProxyJob {
  private readonly queue: string[];
  private readonly branches: Branch[] = [];
  private best?: SipResponse;
  private finished = false;
  private canceled = false;

  constructor(
    private readonly core: CoreState,
    private readonly inbound: InboundTxn,
    private readonly opts: ProxyOptions,
    private readonly app: AppConnection,
    private readonly msgId: string,
    private readonly template: SipRequest | undefined,
    private readonly onDone: () => void,
  ) {
    this.queue = [...opts.destinations];
  }

  run(): void {
    if (this.opts.simultaneous) while (this.queue.length > 0) this.startNext();
    else this.startNext();
  }

  cancelAll(): void {
    this.canceled = true;
    this.queue.length = 0;
    for (const b of this.branches) this.cancelBranch(b);
  }

  private startNext(): void {
    const uri = this.queue.shift();
    if (uri === undefined) return;
    const branch: Branch = { uri, gotProvisional: false, done: false };
    this.branches.push(branch);
    this.forward(branch).catch((err: Error) => {
      this.core.log.info({ callId: this.callId, target: uri, err: err.message }, 'proxy target unusable');
      this.branchFinal(branch, createResponse(this.inbound.request, /transport/.test(err.message) ? 500 : 503, err.message.slice(0, 80)));
    });
  }

  private get callId(): string {
    return this.inbound.request.headers.get('call-id') ?? '';
  }

  /** §16.6: copy, Request-URI, Max-Forwards, Record-Route, Route, target, Via; then a client transaction. */
  private async forward(branch: Branch): Promise<void> {
    const src = this.inbound.request;
    const req = new SipRequest(src.method, branch.uri, src.headers.clone(), src.body, src.version);
    const h = req.headers;
    for (const f of this.template?.headers ?? []) {
      const key = f.name.toLowerCase();
      if (!['via', 'from', 'to', 'call-id', 'cseq', 'content-length', 'max-forwards', 'route', 'record-route'].includes(key)) {
        h.set(f.name, f.value);
      }
    }
    h.set('Max-Forwards', String(Number(h.get('max-forwards') ?? '70') - 1));
    stripOwnRoute(this.core, req);
    const target: SendTarget = await resolveTarget(branch.uri, {
      route: h.values('route')[0],
      available: (p) => this.core.transports.hasProtocol(p),
      preferred: this.inbound.source.protocol,
    });
    if (this.opts.recordRoute) {
      h.prepend('Record-Route', `<${this.core.local.contactUri(target)};lr>`);
    }
    h.prepend('Via', this.core.local.via(target, this.core.transactions.newBranch()));
    if (this.finished || this.canceled) return;
    branch.tx = this.core.transactions.sendRequest(req, target, {
      onProvisional: (res) => this.branchProvisional(branch, res),
      onFinal: (res) => this.branchFinal(branch, res),
      onTimeout: () => this.branchFinal(branch, createResponse(src, 408)),
      onTransportError: () => this.branchFinal(branch, createResponse(src, 503)),
    });
    const { provisionalTimeoutMs: prov, finalTimeoutMs: fin } = this.opts;
    if (prov !== undefined && src.method === 'INVITE') {
      branch.timer = setTimeout(() => {
        if (!branch.gotProvisional && !branch.done) this.giveUpOn(branch);
      }, prov);
    } else if (fin !== undefined) {
      branch.timer = setTimeout(() => this.giveUpOn(branch), fin);
    }
  }

  private giveUpOn(branch: Branch): void {
    if (branch.done) return;
    this.cancelBranch(branch);
    this.branchFinal(branch, createResponse(this.inbound.request, 408));
  }

  private cancelBranch(branch: Branch): void {
    if (branch.tx instanceof ClientInviteTransaction && !branch.tx.isTerminated) this.core.transactions.cancel(branch.tx);
  }

  private branchProvisional(branch: Branch, res: SipResponse): void {
    branch.gotProvisional = true;
    if (branch.timer && this.opts.finalTimeoutMs !== undefined) {
      clearTimeout(branch.timer);
      branch.timer = setTimeout(() => this.giveUpOn(branch), this.opts.finalTimeoutMs);
    } else if (branch.timer) clearTimeout(branch.timer);
    // §16.7 step 5: provisional responses other than 100 are forwarded at once.
    if (res.status > 100 && !this.finished) this.relay(res);
  }

  private branchFinal(branch: Branch, res: SipResponse): void {
    const status = res.status;
    if (status >= 200 && status < 300) {
      // §16.7 step 5: every 2xx to INVITE is forwarded, retransmissions included.
      this.relay(res);
      if (!branch.done) this.report(res);
      branch.done = true;
      if (branch.timer) clearTimeout(branch.timer);
      if (!this.finished) {
        this.finished = true;
        for (const b of this.branches) if (b !== branch) this.cancelBranch(b);
        this.finish();
      }
      return;
    }
    if (branch.done) return;
    branch.done = true;
    if (branch.timer) clearTimeout(branch.timer);
    this.report(res);
    if (status >= 300 && status < 400 && this.opts.followRedirects) {
      for (const c of res.headers.values('contact')) {
        try {
          const uri = parseNameAddr(c).uri;
          parseUri(uri);
          this.queue.push(uri);
        } catch {
          // an unusable Contact is skipped
        }
      }
    } else if (!this.best || rank(status) < rank(this.best.status)) {
      this.best = res;
    }
    if (status >= 600) {
      // §16.7 step 5: a 6xx ends the search; the pending branches are cancelled.
      this.cancelAll();
    }
    if (this.finished) return;
    if (this.branches.every((b) => b.done)) {
      if (this.queue.length > 0 && !this.canceled) this.run();
      else {
        this.finished = true;
        this.relay(this.best ?? createResponse(this.inbound.request, 408));
        this.finish();
      }
    }
  }

  /** §16.7 step 9: the response goes upstream without our Via. */
  private relay(res: SipResponse): void {
    const up = new SipResponse(res.status, res.reason, res.headers.clone(), res.body, res.version);
    if (up.headers.values('via').length > this.inbound.request.headers.values('via').length) up.headers.shift('via');
    const tx = this.inbound.tx;
    if (!tx.respond(up)) return;
    // A proxy does not retransmit 2xx itself (§16.7): the UAS does, and each one is forwarded.
    if (up.status >= 200 && up.status < 300 && 'ackReceived' in tx) tx.ackReceived();
  }

  private report(res: SipResponse): void {
    if (!this.opts.fullResponse || this.app.closed) return;
    const branch = this.branches.find((b) => b.tx && !b.tx.isTerminated) ?? this.branches[this.branches.length - 1];
    const w = describe(res, 'network', branch?.tx?.target.protocol ?? 'udp', branch?.tx?.target.remote ?? { address: '', port: 0 });
    const m = w.meta;
    this.app.respond(this.msgId, true, `${m.source}|${m.bytes}|${m.protocol}|${m.address}|${m.port}|${m.time}|||continue`, w.text);
  }

  private finish(): void {
    for (const b of this.branches) if (b.timer) clearTimeout(b.timer);
    if (!this.app.closed) this.app.respond(this.msgId, true, 'done');
    this.onDone();
  }
}

/** §16.7 step 6: the best response is a 6xx, else a 4xx (challenges first), else 5xx, else 3xx; lower rank wins. */
function rank(status: number): number {
  if (status >= 600) return 0;
  if (status === 401 || status === 407) return 1;
  if (status >= 400 && status < 500) return 2;
  if (status >= 500) return 3;
  return 4;
}

/** §16.4: a Route that names this server is removed before the request goes on. */
export function stripOwnRoute(core: CoreState, req: SipRequest): void {
  const first = req.headers.values('route')[0];
  if (!first) return;
  try {
    const uri = parseUri(parseNameAddr(first).uri);
    if (core.local.isLocal(uri.host, uri.port)) req.headers.shift('route');
  } catch {
    // a Route we cannot read is left for the next hop
  }
}
