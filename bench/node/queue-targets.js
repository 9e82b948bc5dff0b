// Children of the queue benchmark, alone in their module as a user's would be.
export function produce(q, n, payload, ready, go) {
  const value = payload ? Buffer.alloc(payload.kib, 1) : null;
  ready.release();
  go.waitSync();
  for (let i = 0; i < n; i++) q.putSync(value ?? i);
}
export function consume(q, n, ready, go) {
  ready.release();
  go.waitSync();
  for (let i = 0; i < n; i++) q.getSync();
}
export function echo(conn) {
  for (;;) {
    let m;
    try { m = conn.recvSync(); } catch { return; }
    conn.send(m);
  }
}
