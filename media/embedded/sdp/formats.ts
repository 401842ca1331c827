/** The RTP payload formats the embedded engine speaks, and SDP direction. */

export type AudioCodecName = 'PCMU' | 'PCMA' | 'opus';

export interface PayloadFormat {
  pt: number;
  name: AudioCodecName | 'telephone-event';
  clockRate: number;
  channels?: number;
  fmtp?: string;
}

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** Formats in a locally made offer (RFC 3551 static PTs; dynamic PTs of our choice). */
export const OFFER_FORMATS: Record<AudioCodecName, PayloadFormat> = {
  PCMU: { pt: 0, name: 'PCMU', clockRate: 8000 },
  PCMA: { pt: 8, name: 'PCMA', clockRate: 8000 },
  // RFC 7587 §7: opus is always signalled as opus/48000/2.
  opus: { pt: 111, name: 'opus', clockRate: 48000, channels: 2, fmtp: 'minptime=10;useinbandfec=1' },
};

export const OFFER_TELEPHONE_EVENTS: PayloadFormat[] = [
  { pt: 101, name: 'telephone-event', clockRate: 8000, fmtp: '0-16' },
  { pt: 110, name: 'telephone-event', clockRate: 48000, fmtp: '0-16' },
];

/** RFC 3551 §6: static payload types usable without an rtpmap line. */
export const STATIC_FORMATS: Record<number, PayloadFormat> = {
  0: OFFER_FORMATS.PCMU,
  8: OFFER_FORMATS.PCMA,
};

/** RFC 3264 §6.1: the direction an answerer uses for an offered direction. */
export function answerDirection(offered: Direction): Direction {
  switch (offered) {
    case 'sendonly':
      return 'recvonly';
    case 'recvonly':
      return 'sendonly';
    case 'inactive':
      return 'inactive';
    default:
      return 'sendrecv';
  }
}

export function canSend(d: Direction): boolean {
  return d === 'sendrecv' || d === 'sendonly';
}

export function canReceive(d: Direction): boolean {
  return d === 'sendrecv' || d === 'recvonly';
}
