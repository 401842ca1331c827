import { describe, expect, it } from 'vitest';
import { HeapTimerService, ManualClock, systemClock } from '../../../engine/sipstack/transaction/timer-service.js';

function bench() {
  const clock = new ManualClock(1000);
  const errors: unknown[] = [];
  const timers = new HeapTimerService(clock, (e) => errors.push(e));
  return { clock, timers, errors };
}

describe('HeapTimerService', () => {
  it('fires timers at their due time, in due order, FIFO for equal times', () => {
    const { clock, timers } = bench();
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${clock.now() - 1000}`);
    timers.schedule(300, at('c'));
    timers.schedule(100, at('a'));
    timers.schedule(200, at('b1'));
    timers.schedule(200, at('b2'));
    expect(timers.size).toBe(4);
    clock.advance(150);
    expect(fired).toEqual(['a@100']);
    clock.advance(1000);
    expect(fired).toEqual(['a@100', 'b1@200', 'b2@200', 'c@300']);
    expect(timers.size).toBe(0);
  });

  it('cancel() removes a timer at once; cancelling twice or after firing is harmless', () => {
    const { clock, timers } = bench();
    const fired: number[] = [];
    const handles = [10, 20, 30, 40, 50].map((d) => timers.schedule(d, () => fired.push(d)));
    timers.cancel(handles[2]);
    timers.cancel(handles[2]);
    timers.cancel(handles[0]);
    expect(timers.size).toBe(3);
    clock.advance(100);
    expect(fired).toEqual([20, 40, 50]);
    timers.cancel(handles[1]);
    timers.cancel(undefined);
    expect(timers.size).toBe(0);
  });

  it('timers scheduled from a callback run when due, including zero delays', () => {
    const { clock, timers } = bench();
    const fired: string[] = [];
    timers.schedule(10, () => {
      fired.push('outer');
      timers.schedule(0, () => fired.push('zero'));
      timers.schedule(5, () => fired.push('inner'));
    });
    clock.advance(10);
    expect(fired).toEqual(['outer', 'zero']);
    clock.advance(5);
    expect(fired).toEqual(['outer', 'zero', 'inner']);
  });

  it('a throwing callback is reported and the others still fire', () => {
    const { clock, timers, errors } = bench();
    const fired: number[] = [];
    timers.schedule(10, () => {
      throw new Error('boom');
    });
    timers.schedule(10, () => fired.push(1));
    clock.advance(10);
    expect(fired).toEqual([1]);
    expect(errors).toHaveLength(1);
  });

  it('keeps exact order with 50,000 live timers and random cancellations', () => {
    const { clock, timers } = bench();
    const n = 50_000;
    const due: number[] = [];
    const handles = [];
    const fired: number[] = [];
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < n; i++) {
      const d = Math.floor(rand() * 64_000);
      due.push(d);
      handles.push(timers.schedule(d, () => fired.push(clock.now() - 1000)));
    }
    expect(timers.size).toBe(n);
    let cancelled = 0;
    for (let i = 0; i < n; i += 3) {
      timers.cancel(handles[i]);
      cancelled++;
    }
    expect(timers.size).toBe(n - cancelled);
    clock.advance(64_000);
    expect(fired).toHaveLength(n - cancelled);
    const expected = due.filter((_d, i) => i % 3 !== 0).sort((a, b) => a - b);
    expect(fired).toEqual(expected);
    expect(timers.size).toBe(0);
  });

  it('uses a single wake-up of the clock however many timers are pending', () => {
    let armed = 0;
    let live = 0;
    const clock = new ManualClock(0);
    const counting = {
      now: () => clock.now(),
      setWakeup: (fire: () => void, ms: number) => {
        armed++;
        live++;
        return clock.setWakeup(() => {
          live--;
          fire();
        }, ms);
      },
      clearWakeup: (t: unknown) => {
        live--;
        clock.clearWakeup(t);
      },
    };
    const timers = new HeapTimerService(counting);
    for (let i = 0; i < 10_000; i++) timers.schedule(1000 + i, () => {});
    expect(live).toBe(1);
    expect(armed).toBe(1); // later timers never re-arm the wake-up
    clock.advance(20_000);
    expect(timers.size).toBe(0);
    expect(live).toBe(0);
  });

  it('stop() cancels everything', () => {
    const { clock, timers } = bench();
    let fired = 0;
    for (let i = 0; i < 100; i++) timers.schedule(i, () => fired++);
    timers.stop();
    clock.advance(1000);
    expect(fired).toBe(0);
    expect(timers.size).toBe(0);
  });

  it('runs on the system clock', async () => {
    const timers = new HeapTimerService(systemClock);
    const start = performance.now();
    const elapsed = await new Promise<number>((resolve) => timers.schedule(30, () => resolve(performance.now() - start)));
    expect(elapsed).toBeGreaterThanOrEqual(29);
    expect(timers.size).toBe(0);
  });
});
