/**
 * Geometry of GPS positions: great-circle distance in metres, and the local projection that turns
 * WGS84 latitude/longitude into integer metres for the world's positions and the spatial hash.
 * The Earth is a sphere of the IUGG mean radius; over a contact radius (metres to a few hundred
 * metres) its error against the WGS84 ellipsoid is below 0.5 %.
 * @module
 */

/** Mean Earth radius R1 of the IUGG (Moritz, "Geodetic Reference System 1980"), metres. */
export const EARTH_RADIUS_M = 6_371_008.8;

const RAD = Math.PI / 180;

/**
 * Great-circle distance in metres between two WGS84 points given in decimal degrees, by the
 * haversine formula on a sphere of radius {@link EARTH_RADIUS_M} (well conditioned for the short
 * distances of contacts, unlike the spherical law of cosines).
 */
export function haversineMetres(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

/**
 * An equirectangular projection around a bounding box: `x` metres east of `originLon` measured at
 * latitude `scaleLat`, `y` metres north of `originLat`. With the origin at the south-west corner of
 * the data, every position is `x, y >= 0`.
 */
export interface LocalProjection {
  originLat: number;
  originLon: number;
  scaleLat: number;
}

/** The projection of the box `[minLat, maxLat] x [minLon, ...]`: origin at its south-west corner, scale at its middle latitude. */
export function localProjection(minLat: number, maxLat: number, minLon: number): LocalProjection {
  return { originLat: minLat, originLon: minLon, scaleLat: (minLat + maxLat) / 2 };
}

/** Metres east of the projection's origin (rounded to whole metres). */
export function projectX(p: LocalProjection, lon: number): number {
  return Math.round(EARTH_RADIUS_M * (lon - p.originLon) * RAD * Math.cos(p.scaleLat * RAD));
}

/** Metres north of the projection's origin (rounded to whole metres). */
export function projectY(p: LocalProjection, lat: number): number {
  return Math.round(EARTH_RADIUS_M * (lat - p.originLat) * RAD);
}

/**
 * The radius, in projected metres, within which a spatial hash must look so that no pair of points
 * closer than `radiusM` (great-circle) is missed, for points with `|latitude| <= maxAbsLat`.
 * East-west, the projection stretches distances by up to `cos(scaleLat) / cos(maxAbsLat)`; rounding
 * each coordinate moves a pair by at most `sqrt(2)` metres; a margin of 0.1 % + 2 m covers both and the
 * curvature the flat picture ignores. Candidates found within it are then
 * checked with {@link haversineMetres}. Longitudes are not wrapped: pairs across the antimeridian
 * (+-180 degrees) are not found.
 */
export function candidateRadius(p: LocalProjection, maxAbsLat: number, radiusM: number): number {
  const stretch = Math.max(1, Math.cos(p.scaleLat * RAD) / Math.max(Math.cos(maxAbsLat * RAD), 1e-9));
  return Math.min(2 ** 30, Math.ceil(radiusM * stretch * 1.001 + 2));
}
