/**
 * mulberry32 (Tommy Ettinger, public domain): a tiny 32-bit-state PRNG, so that bootstrap
 * intervals are reproducible from a seed on every platform (Math.random cannot be seeded).
 */

/** A generator of floats in [0, 1) from a 32-bit seed; the same seed gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
