/**
 * A fix to kafkajs 2.2.4 applied at run time: its request queue schedules the check of its
 * pending requests `throttledUntil - Date.now()` milliseconds ahead, a large negative number when
 * the broker never throttled it (tulios/kafkajs#1751, open upstream; kafkajs has had no release
 * since). Node 20 and 22 run such a timer after 1 ms without a word; Node 24 also prints
 * `TimeoutNegativeWarning: -1796304826045 is a negative number` on stderr, in every command that
 * talks to Kafka. The patched method is kafkajs's own with the delay raised to 1 ms, what every
 * Node does with it anyway: no behaviour changes, only the warning goes.
 * @module
 */
import { createRequire } from 'node:module';

/** The version whose method {@link patchedScheduleCheck} copies; any other is left as it is. */
export const PATCHED_KAFKAJS = '2.2.4';

/** kafkajs's `CHECK_PENDING_REQUESTS_INTERVAL` (src/network/requestQueue/index.js), milliseconds. */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

/** The fields of kafkajs's `RequestQueue` that the method reads and writes. */
export interface ThrottleCheckQueue {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
}

/**
 * kafkajs 2.2.4's `RequestQueue.scheduleCheckPendingRequests` (MIT, tulios/kafkajs), the timer's
 * delay at least 1 ms: when throttled, check the pending requests once the throttle ends (10 ms
 * ahead when requests wait and the throttle is over), unless a check is already scheduled.
 */
export function patchedScheduleCheck(this: ThrottleCheckQueue): void {
  let scheduleAt = this.throttledUntil - Date.now();
  if (!this.throttleCheckTimeoutId) {
    if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      Math.max(1, scheduleAt),
    );
  }
}

/**
 * Install {@link patchedScheduleCheck} on kafkajs's request queue, once a process; only on
 * kafkajs {@link PATCHED_KAFKAJS}, whose method it copies.
 * @returns true when the method in place is the patched one.
 */
export function patchKafkajsThrottleCheck(): boolean {
  const require = createRequire(import.meta.url);
  const version = (require('kafkajs/package.json') as { version: string }).version;
  if (version !== PATCHED_KAFKAJS) return false;
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: { scheduleCheckPendingRequests: unknown } };
  RequestQueue.prototype.scheduleCheckPendingRequests = patchedScheduleCheck;
  return true;
}
