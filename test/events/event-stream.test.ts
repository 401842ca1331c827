import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../engine/events/engine-events.js';
import { EventStream } from '../../engine/events/event-stream.js';

const event = (username: string): EngineEvent => ({ type: 'registration.changed', at: new Date(), accountSid: 'AC' + '1'.repeat(32), username, change: 'registered', bindings: [], changed: [] });

describe('EventStream', () => {
  it('gives each event to every subscriber in order; one that throws does not keep it from the others', () => {
    const stream = new EventStream();
    const seen: string[] = [];
    stream.subscribe((e) => seen.push(`a:${e.type === 'registration.changed' ? e.username : ''}`));
    stream.subscribe(() => {
      throw new Error('broken subscriber');
    });
    const stop = stream.subscribe((e) => seen.push(`c:${e.type === 'registration.changed' ? e.username : ''}`));
    stream.publish(event('alice'));
    stop();
    stream.publish(event('bob'));
    expect(seen).toEqual(['a:alice', 'c:alice', 'a:bob']);
  });
});
