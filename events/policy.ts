/**
 * The tracing policy as data: which contacts count, who exposes whom, how far alerts travel, how
 * long statuses last, and (in simulations) testing and the hidden ground truth. Durations are
 * simulated minutes, turned into ticks with the world's `tickMs` (rounded up, at least one tick).
 * @module
 */
import { z } from 'zod';

/** A duration in simulated minutes, or `null` for "forever" / "none" (see each field). */
const Minutes = z.number().nonnegative().nullable();
/** A probability in [0, 1]. */
const Probability = z.number().min(0).max(1);

/** When two people's contact counts as an exposure risk (DESIGN.md, "Policy"). */
export const ContactRule = z
  .object({
    /**
     * Largest distance that counts, in the world's units (cells; metres for GPS worlds); `null`:
     * every detected contact (the world's own radius). It cannot exceed the world's radius: a
     * contact never detected cannot count.
     */
    radius: z.number().nonnegative().nullable().default(null),
    /** Minimum cumulative contact time of a pair within `windowMinutes`, minutes; 0: any contact. */
    minMinutes: z.number().nonnegative().default(0),
    /** The window over which a pair's contact time adds up, minutes (Corona-Warn-App: a day). */
    windowMinutes: z.number().positive().default(1440),
  })
  .strict()
  .refine((c) => c.minMinutes <= c.windowMinutes, { message: 'minMinutes is larger than windowMinutes: no pair could ever reach it', path: ['minMinutes'] });

/** Testing of notified people, in simulations (commands report results in every world). */
export const TestingRule = z
  .object({
    /** Share of notified people who get tested (0: nobody; the seed). */
    share: Probability.default(0),
    /** Time from the alert to the result, minutes. */
    delayMinutes: z.number().nonnegative().default(0),
    /** P(positive | really infected). */
    sensitivity: Probability.default(1),
    /** P(negative | not really infected). */
    specificity: Probability.default(1),
    /** Refuse a reported result (`stopcovid test`) for a person who was never alerted. */
    requireAlert: z.boolean().default(false),
  })
  .strict();

/** The hidden ground truth of a simulation: who is really infected. It never decides an exposure or an alert. */
export const TransmissionRule = z
  .object({
    /** Chance that one tick of contact with a really infected person infects, in [0, 1] (0: no ground truth beyond the initial cases). */
    probability: Probability.default(0),
  })
  .strict();

/**
 * A tracing policy. Every field has a default, and the defaults are the seed's rules (the
 * `seed` preset): any contact counts, statuses 1 and 2 expose, no hop cap, no retroactive alerts,
 * "suspicious" and "infected" last forever, nobody tests, no transmission.
 */
export const Policy = z
  .object({
    /** A short name, shown by `policy show` and in reports. */
    name: z.string().min(1).default('custom'),
    contact: ContactRule.default(ContactRule.parse({})),
    /** Statuses that expose others (seed: 1 and 2; deployed apps: 2, confirmed cases only). */
    exposingStatuses: z.array(z.union([z.literal(1), z.literal(2)])).min(1).default([1, 2]),
    /** Largest hop count from the index case an exposure may have (index case: 0); `null`: no cap (seed). */
    maxHops: z.number().int().positive().nullable().default(null),
    /** When someone turns 2, people who met them this long before (and are 0) are alerted, minutes; 0: none (seed). */
    retroactiveMinutes: z.number().nonnegative().default(0),
    /** A 1 without a positive result returns to 0 this long after turning 1, minutes; `null`: never (seed). */
    suspicionMinutes: Minutes.default(null),
    /** A 2 exposes others this long after turning 2, then isolation or recovery stops it, minutes; `null`: forever (seed). */
    infectiousMinutes: Minutes.default(null),
    testing: TestingRule.default(TestingRule.parse({})),
    transmission: TransmissionRule.default(TransmissionRule.parse({})),
  })
  .strict();

/** A validated policy, every field present. */
export type Policy = z.infer<typeof Policy>;
/** A policy as written in a file: every field optional. */
export type PolicyInput = z.input<typeof Policy>;
