import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { patchKafkajsThrottleCheck, patchedScheduleCheck, type ThrottleCheckQueue } from './kafkajsThrottleCheck.js';

const require = createRequire(import.meta.url);

/** A request queue as kafkajs makes it (src/network/requestQueue/index.js: `throttledUntil = -1`, never throttled). */
const fresh = (pending: unknown[] = []): ThrottleCheckQueue & { checked: number } => ({
  throttledUntil: -1,
  pending,
  throttleCheckTimeoutId: null,
  checked: 0,
  checkPendingRequests() {
    this.checked++;
  },
});

/** The delays `schedule` hands setTimeout, the timers cleared. */
function delaysOf(schedule: (this: ThrottleCheckQueue) => void, queue: ThrottleCheckQueue): number[] {
  const spy = vi.spyOn(globalThis, 'setTimeout');
  schedule.call(queue);
  const delays = spy.mock.calls.map((c) => c[1] as number);
  clearTimeout(queue.throttleCheckTimeoutId ?? undefined);
  spy.mockRestore();
  return delays;
}

afterEach(() => vi.restoreAllMocks());

describe("kafkajs's throttle check (tulios/kafkajs#1751)", () => {
  it('kafkajs 2.2.4 itself hands setTimeout a negative delay on a queue never throttled (what Node 24 warns about)', () => {
    const original = require('kafkajs/src/network/requestQueue/index.js').prototype.scheduleCheckPendingRequests;
    // the installed method may already be ours when another test of this process patched it
    if (original !== patchedScheduleCheck) expect(delaysOf(original, fresh())[0]).toBeLessThan(0);
  });

  it('the patched method is installed on kafkajs and schedules the check 1 ms ahead, as Node clamps it', () => {
    expect(patchKafkajsThrottleCheck()).toBe(true);
    const RequestQueue = require('kafkajs/src/network/requestQueue/index.js');
    expect(RequestQueue.prototype.scheduleCheckPendingRequests).toBe(patchedScheduleCheck);
    expect(delaysOf(RequestQueue.prototype.scheduleCheckPendingRequests, fresh())).toEqual([1]);
  });

  it('keeps the rest of the method: 10 ms with requests waiting, the throttle end when throttled, nothing when a check is scheduled', () => {
    expect(delaysOf(patchedScheduleCheck, fresh([{}]))).toEqual([10]);
    const throttled = fresh();
    throttled.throttledUntil = Date.now() + 5000;
    const [delay] = delaysOf(patchedScheduleCheck, throttled);
    expect(delay).toBeGreaterThan(4000);
    expect(delay).toBeLessThanOrEqual(5000);
    const scheduled = fresh();
    scheduled.throttleCheckTimeoutId = setTimeout(() => {}, 0);
    expect(delaysOf(patchedScheduleCheck, scheduled)).toEqual([]);
  });

  it('runs the check when the timer fires, and lets a later one be scheduled', async () => {
    const queue = fresh();
    patchedScheduleCheck.call(queue);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(queue.checked).toBe(1);
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });
});
