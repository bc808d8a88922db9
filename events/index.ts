/**
 * The event model of stopcovid: schemas, inferred types, decoding and its error.
 * Imports only zod, so it runs on any JavaScript runtime.
 * @module
 */
export * from './schemas.js';
export * from './metadata.js';
export * from './types.js';
export * from './errors.js';
export * from './codec.js';
export * from './policy.js';
