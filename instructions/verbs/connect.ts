import { AttributeReader, type HttpMethod } from '../attributes.js';
import type { ParseContext } from '../context.js';
import { childElements, ownText, type XmlElement } from '../xml-tree.js';
import { parseParameter } from './dial-nouns.js';

export const STREAM_TRACKS = ['inbound_track', 'outbound_track', 'both_tracks'] as const;
export type StreamTrack = (typeof STREAM_TRACKS)[number];

/** <Stream>: a bidirectional media stream to a WebSocket server. */
export interface StreamNoun {
  readonly noun: 'Stream';
  /** ws: or wss: URL. */
  readonly url: string;
  readonly name?: string;
  readonly track: StreamTrack;
  readonly statusCallback?: string;
  readonly statusCallbackMethod: HttpMethod;
  /** Custom parameters passed in the stream's start message. */
  readonly parameters: readonly { name: string; value: string }[];
}

/** <Connect>: hand the call to a Stream (parsed now, executed in a later version). */
export interface ConnectVerb {
  readonly verb: 'Connect';
  readonly action?: string;
  readonly method: HttpMethod;
  readonly stream: StreamNoun;
}

export function parseStream(el: XmlElement, ctx: ParseContext): StreamNoun {
  const attrs = new AttributeReader(el, ctx);
  const url = attrs.url('url', ['ws:', 'wss:']);
  const name = attrs.string('name');
  const track = attrs.enumeration('track', STREAM_TRACKS) ?? 'inbound_track';
  const statusCallback = attrs.url('statusCallback');
  const statusCallbackMethod = attrs.method('statusCallbackMethod') ?? 'POST';
  attrs.finish();
  if (url === undefined) throw ctx.fail(el, 'is required', 'url');
  if (ownText(el).trim() !== '') throw ctx.fail(el, 'text is not allowed here');
  const parameters = childElements(el).map((child) => {
    if (child.name !== 'Parameter') throw ctx.fail(child, `<${child.name}> is not allowed inside <Stream>`);
    return parseParameter(child, ctx);
  });
  return { noun: 'Stream', url, name, track, statusCallback, statusCallbackMethod, parameters };
}

export function parseConnect(el: XmlElement, ctx: ParseContext): ConnectVerb {
  const attrs = new AttributeReader(el, ctx);
  const action = attrs.url('action');
  const method = attrs.method('method') ?? 'POST';
  attrs.finish();
  if (ownText(el).trim() !== '') throw ctx.fail(el, 'text is not allowed here');
  const children = childElements(el);
  const first = children[0];
  if (!first) throw ctx.fail(el, 'a <Stream> noun is required');
  if (first.name !== 'Stream') throw ctx.fail(first, `<${first.name}> is not allowed inside <Connect> (only Stream)`);
  const extra = children[1];
  if (extra) throw ctx.fail(extra, '<Connect> takes exactly one noun');
  return { verb: 'Connect', action, method, stream: parseStream(first, ctx) };
}
