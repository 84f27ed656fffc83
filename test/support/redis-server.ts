/** A throwaway redis-server for tests that stop and restart Redis (the machine's own is left alone). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * A redis-server on `port`, resolved once it accepts connections. With `dir`, it keeps its data there
 * (append-only file, fsync on every write), so a restart — even after SIGKILL — finds it again, as a
 * production Redis does; without, nothing is saved.
 */
export async function startRedis(port: number, dir?: string): Promise<ChildProcess> {
  const persistence = dir
    ? ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '']
    : ['--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...persistence], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  // Read on (not stop reading) once ready, so that the server's log never meets a closed pipe.
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
  });
  return child;
}
