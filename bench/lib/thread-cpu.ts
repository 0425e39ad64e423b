import { readFileSync } from 'node:fs';

/**
 * CPU time of the calling thread alone, in µs. `process.cpuUsage()` counts the whole process
 * (every thread, Postgres's client code included) and Node 20 has no `threadCpuUsage()`, so this
 * reads Linux's `/proc/thread-self/schedstat` (nanoseconds on a CPU, this thread only).
 * Elsewhere it returns undefined and callers fall back to event-loop utilisation.
 */
export function threadCpuMicros(): number | undefined {
  try {
    const text = readFileSync('/proc/thread-self/schedstat', 'latin1');
    const nanos = Number(text.slice(0, text.indexOf(' ')));
    return Number.isFinite(nanos) ? nanos / 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** What a thread spent over a stretch of work: CPU µs (when known) and the loop's busy share. */
export interface ThreadCost {
  cpuMicros: number | undefined;
  /** performance.eventLoopUtilization() over the stretch: 0 (idle) to 1 (always busy). */
  utilization: number;
  wallMs: number;
}

/** Starts measuring the calling thread; `stop()` returns what it spent since. */
export function threadCost() {
  const cpu0 = threadCpuMicros();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  return {
    stop(): ThreadCost {
      const cpu1 = threadCpuMicros();
      const elu = performance.eventLoopUtilization(elu0);
      return {
        cpuMicros: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0,
        utilization: elu.utilization,
        wallMs: performance.now() - t0,
      };
    },
  };
}

/** CPU µs per item: the thread's CPU when known, else busy event-loop time. */
export function microsPerItem(cost: ThreadCost, items: number): number {
  const micros = cost.cpuMicros ?? cost.utilization * cost.wallMs * 1000;
  return micros / items;
}
