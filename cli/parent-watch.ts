/**
 * Stops the collector when the npm process that started it goes away without passing on a
 * signal (npm killed with SIGKILL, a supervisor that signals only the process it started).
 * Only under an npm script: a collector started by a shell and left running (nohup, `&`) is
 * meant to outlive its parent.
 */
export function watchNpmParent(
  env: NodeJS.ProcessEnv,
  onOrphaned: () => void,
  intervalMs = 1000,
): void {
  if (!env.npm_lifecycle_event) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onOrphaned();
    }
  }, intervalMs);
  timer.unref();
}
