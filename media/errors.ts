/** Why a media operation failed, in a form the call router can act on. */
export type MediaErrorCode =
  | 'incompatible-codecs' // no codec in common with the offer: the call router answers 488
  | 'bad-sdp' // an SDP that cannot be parsed or has no usable audio stream
  | 'bad-audio' // a file or download that is not audio we can decode
  | 'fetch-failed' // an audio URL that could not be fetched
  | 'tts-failed' // the text-to-speech provider failed
  | 'no-ports' // the RTP port range is exhausted
  | 'destroyed' // the endpoint was destroyed
  | 'unavailable' // no media server can take the call now (FreeSWITCH unreachable): the call router answers 503
  | 'unsupported' // this media server cannot do what was asked (a feature it lacks)
  | 'io'; // a file could not be read or written

export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MediaError';
  }
}
