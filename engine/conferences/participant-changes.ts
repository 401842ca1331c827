import type { PromptSource } from '../../instructions/runtime/prompt-source.js';
import type { ConferenceEventName } from '../events/engine-events.js';
import type { LiveConference } from './live-conference.js';
import type { Participant, ParticipantSnapshot } from './participant.js';

/** What a REST update of a participant may change (Twilio's Participant update parameters). */
export interface ParticipantChanges {
  muted?: boolean;
  hold?: boolean;
  holdUrl?: PromptSource;
  announceUrl?: PromptSource;
  coaching?: boolean;
  callSidToCoach?: string;
  endConferenceOnExit?: boolean;
  beepOnExit?: boolean;
}

/** A participant update the conference cannot apply (the REST API answers 400). */
export class ParticipantUpdateError extends Error {}

export interface ChangeContext {
  /** The engine's hold music, for Hold without HoldUrl. */
  holdMusic: PromptSource;
  publish(name: ConferenceEventName, participant: ParticipantSnapshot): void;
}

/**
 * Applies a REST update to a live participant, each change reported as
 * Twilio reports it: participant-mute/-unmute, participant-hold/-unhold,
 * participant-modify (coaching, endConferenceOnExit, beepOnExit), and
 * announcement-end/-failed once an AnnounceUrl has played to it.
 */
export function applyParticipantChanges(conf: LiveConference, p: Participant, c: ParticipantChanges, ctx: ChangeContext): ParticipantSnapshot {
  if (c.coaching === true && (c.callSidToCoach ?? p.callSidToCoach) === undefined) throw new ParticipantUpdateError('CallSidToCoach is required to coach');
  const coachTarget = c.callSidToCoach ?? p.callSidToCoach;
  if ((c.coaching === true || c.callSidToCoach !== undefined) && coachTarget !== undefined && !conf.participants.has(coachTarget)) {
    throw new ParticipantUpdateError(`${coachTarget} is not a participant of this conference`);
  }
  p.touch();
  if (c.muted !== undefined && c.muted !== p.muted) {
    p.muted = c.muted;
    p.member.update({ muted: c.muted });
    ctx.publish(c.muted ? 'participant-mute' : 'participant-unmute', p.snapshot());
  }
  if (c.hold !== undefined && c.hold !== p.hold) {
    p.hold = c.hold;
    p.member.update({ hold: c.hold || !conf.started });
    if (c.hold) {
      p.holdSource = c.holdUrl ?? ctx.holdMusic;
      p.startMusic(p.holdSource);
    } else if (conf.started) p.stopMusic();
    else p.startMusic(p.settings.waitSource);
    ctx.publish(c.hold ? 'participant-hold' : 'participant-unhold', p.snapshot());
  }
  let modified = false;
  if (c.coaching !== undefined || c.callSidToCoach !== undefined) {
    const coaching = c.coaching ?? p.callSidToCoach !== undefined;
    p.callSidToCoach = coaching ? coachTarget : undefined;
    p.member.update({ coaching: coaching ? (conf.memberOf(coachTarget) ?? null) : null });
    modified = true;
  }
  if (c.endConferenceOnExit !== undefined) {
    p.endConferenceOnExit = c.endConferenceOnExit;
    modified = true;
  }
  if (c.beepOnExit !== undefined) {
    p.beepOnExit = c.beepOnExit;
    modified = true;
  }
  if (modified) ctx.publish('participant-modify', p.snapshot());
  if (c.announceUrl) {
    const source = c.announceUrl;
    void p.announce(source).then((end) => {
      if (end === 'stopped') return;
      ctx.publish(end === 'finished' ? 'announcement-end' : 'announcement-failed', p.snapshot());
      if (p.hold) p.startMusic(p.holdSource);
      else if (!conf.started) p.startMusic(p.settings.waitSource);
    });
  }
  return p.snapshot();
}
