// Intentionally empty: the child of the bare child_process.fork() baseline.
