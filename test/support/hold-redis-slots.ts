/**
 * A worker that takes slots of an endpoint in the shared Redis limiter and never gives them back:
 * it prints "held" once it has them and waits to be killed. Run with `node --import tsx`:
 * `hold-redis-slots.ts <redis url> <key prefix> <lease ms> <slots>`.
 */
import { RedisLimiter } from '../../src/engine/limiter-redis.js';

const [url, prefix, leaseMs, slots] = process.argv.slice(2);
const limiter = await RedisLimiter.connect(url!, { prefix: prefix!, leaseMs: Number(leaseMs) });
const gate = limiter.gate('test|local|', { maxConcurrency: Number(slots) });
for (let i = 0; i < Number(slots); i++) await gate.acquire(0, new AbortController().signal);
process.stdout.write('held\n');
// Keeps the process (and the leases' refresh timers, which are unref'd) alive until it is killed.
setInterval(() => undefined, 60_000);
