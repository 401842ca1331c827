import { describe, expect, it } from 'vitest';
import { combinedForkStatus, type ForkFailure } from '../../engine/calls/fork-outcome.js';

const busy: ForkFailure = { kind: 'busy', sipStatus: 486, reason: '486 Busy Here' };
const declined: ForkFailure = { kind: 'busy', sipStatus: 603, reason: '603 Decline' };
const rangOut: ForkFailure = { kind: 'no-answer', reason: 'no answer within 30 s' };
const notFound: ForkFailure = { kind: 'failed', sipStatus: 404, reason: '404 Not Found' };
const unreachable: ForkFailure = { kind: 'failed', reason: 'could not place the call: connection refused' };
const cancelled: ForkFailure = { kind: 'canceled', reason: 'canceled: 603 from a contact' };

describe('combinedForkStatus (RFC 3261 §16.7 best response, as call statuses)', () => {
  it('busy only when every contact that answered with a status was busy', () => {
    expect(combinedForkStatus([busy, busy], false)).toEqual(busy);
    expect(combinedForkStatus([busy, unreachable], false)).toEqual(busy);
    expect(combinedForkStatus([busy, notFound], false)).toEqual(notFound);
  });

  it('no-answer when any contact rang out', () => {
    expect(combinedForkStatus([busy, rangOut], false).kind).toBe('no-answer');
    expect(combinedForkStatus([notFound, rangOut], false).kind).toBe('no-answer');
  });

  it('a 6xx wins over everything: the user declined for every device', () => {
    expect(combinedForkStatus([rangOut, declined, cancelled], false)).toEqual(declined);
    expect(combinedForkStatus([notFound, { kind: 'failed', sipStatus: 604, reason: '604' }], false).sipStatus).toBe(604);
  });

  it('canceled when our side stopped the call, failed when nothing else applies', () => {
    expect(combinedForkStatus([busy, { kind: 'canceled', reason: 'canceled by the caller' }], true).kind).toBe('canceled');
    expect(combinedForkStatus([], true).kind).toBe('canceled');
    expect(combinedForkStatus([unreachable, unreachable], false)).toEqual(unreachable);
    expect(combinedForkStatus([], false).kind).toBe('failed');
  });
});
