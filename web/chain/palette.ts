/**
 * The status palette, from Okabe and Ito's colour-blind-safe set: sky blue (healthy), orange
 * (suspicious), vermillion (infected). Shared by the map, the curve, the chains and the files.
 * @module
 */

/** Colour of status 0, 1, 2 as `#rrggbb`. */
export const STATUS_COLOURS = ['#56b4e9', '#e69f00', '#d55e00'] as const;

/** Name of status 0, 1, 2. */
export const STATUS_NAMES = ['healthy', 'suspicious', 'infected'] as const;
