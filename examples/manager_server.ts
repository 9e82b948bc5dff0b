// Seed 003 "Using Authentication Keys with Manager", the server program: it serves MathClass to
// every client that knows the key. Run manager_client.ts against it from another terminal.
import * as mp from 'multiproc';

export class MathClass {
  add(x: number, y: number): number {
    return x + y;
  }
}

if (mp.isMainProcess()) {
  // The seed's port 50000, or the one given (0 picks a free one, printed below).
  const port = Number(process.argv[2] ?? 50000);
  // Python's '' listens on every interface; this key is no secret, so only this machine may call.
  const manager = new mp.BaseManager({ address: { host: '127.0.0.1', port }, authkey: 'secret-key' });
  manager.register('Math', MathClass);

  const server = manager.getServer();
  const serving = server.serveForever();
  const address = await server.listening;
  console.log(`Server started on port ${'port' in address ? address.port : address.path}. Waiting for connections...`);
  // Ctrl-C stops serving and lets the program end, where Python's dies of KeyboardInterrupt.
  process.once('SIGINT', () => server.stop());
  await serving;
  console.log('Server stopped.');
}
