import { describe, expect, it } from 'vitest';
import { candidateRadius, EARTH_RADIUS_M, haversineMetres, localProjection, projectX, projectY } from './geo.js';
import { tickRandom, uniformInt } from './random.js';

const RAD = Math.PI / 180;

describe('haversineMetres', () => {
  it('along the equator and along a meridian the great circle is the arc R * angle', () => {
    // 0.0001 degree of arc = 6,371,008.8 m * 0.0001 * pi / 180 = 11.1195 m
    expect(haversineMetres(0, 0, 0, 0.0001)).toBeCloseTo(EARTH_RADIUS_M * 0.0001 * RAD, 6);
    expect(haversineMetres(0, 0, 0, 0.0001)).toBeCloseTo(11.1195, 3);
    expect(haversineMetres(10, 20, 10.5, 20)).toBeCloseTo(EARTH_RADIUS_M * 0.5 * RAD, 4);
    // half the globe: pi * R
    expect(haversineMetres(0, 0, 0, 180)).toBeCloseTo(Math.PI * EARTH_RADIUS_M, 3);
  });

  it('is symmetric, zero for one point, and shorter along a parallel than lon degrees at the equator', () => {
    expect(haversineMetres(37.75, -122.4, 37.76, -122.41)).toBe(haversineMetres(37.76, -122.41, 37.75, -122.4));
    expect(haversineMetres(48.85, 2.35, 48.85, 2.35)).toBe(0);
    // at 60 degrees a degree of longitude is about half of one at the equator (cos 60 = 0.5)
    expect(haversineMetres(60, 0, 60, 0.001) / haversineMetres(0, 0, 0, 0.001)).toBeCloseTo(0.5, 4);
  });
});

describe('local projection', () => {
  it('puts the south-west corner at 0,0 and measures metres north exactly, east at the middle latitude', () => {
    const p = localProjection(37.7, 37.8, -122.5);
    expect(projectX(p, -122.5)).toBe(0);
    expect(projectY(p, 37.7)).toBe(0);
    // 0.01 degree north = 1111.95 m
    expect(projectY(p, 37.71)).toBe(Math.round(EARTH_RADIUS_M * 0.01 * RAD));
    expect(projectX(p, -122.49)).toBe(Math.round(EARTH_RADIUS_M * 0.01 * RAD * Math.cos(37.75 * RAD)));
  });

  it('candidateRadius: no pair within the radius (great-circle) is farther apart than it once projected, even far from the middle latitude', () => {
    // a box from 50 to 70 degrees north: at 70 the projection (scaled at 60) stretches east-west by cos 60 / cos 70 = 1.46
    const p = localProjection(50, 70, 10);
    const radius = 50;
    const reach = candidateRadius(p, 70, radius);
    const rng = tickRandom(5, 0);
    let pairs = 0;
    for (let k = 0; k < 20_000; k++) {
      const lat = 50 + uniformInt(rng, 0, 20_000_000) / 1e6;
      const lon = 10 + uniformInt(rng, 0, 10_000_000) / 1e6;
      const lat2 = lat + uniformInt(rng, -600, 600) / 1e6;
      const lon2 = lon + uniformInt(rng, -1500, 1500) / 1e6;
      if (lat2 > 70 || lat2 < 50 || lon2 < 10 || haversineMetres(lat, lon, lat2, lon2) > radius) continue;
      pairs++;
      const d = Math.hypot(projectX(p, lon2) - projectX(p, lon), projectY(p, lat2) - projectY(p, lat));
      expect(d).toBeLessThanOrEqual(reach);
    }
    expect(pairs).toBeGreaterThan(1000);
  });
});
