// Fault injection for worker tests, preloaded with `node --import`: a process that sends POISON to
// the scripted LLM server (port CRASH_PORT) dies at once (SIGKILL), as a row that crashes its worker
// would. Hooked at the socket, under the provider's own HTTP client.
import net from 'node:net';

const port = Number(process.env.CRASH_PORT);
const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (chunk, ...rest) {
  if (this.remotePort === port && String(chunk).includes('POISON')) process.kill(process.pid, 'SIGKILL');
  return write.call(this, chunk, ...rest);
};
