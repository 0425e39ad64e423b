import type { ExportOutcome } from '../../exporters/index.js';
import type { PartialSuccess } from './responses.js';

const REASONS_SHOWN = 3;
const MESSAGE_MAX = 1024;

/**
 * partial_success for the spans the exporter rejected (they are in dead_letter with the full
 * reason); undefined when every span was accepted. The message quotes the first few reasons so
 * the sender can fix its instrumentation without database access.
 */
export function partialSuccessOf(outcome: ExportOutcome): PartialSuccess | undefined {
  const rejected = outcome.rejected;
  if (rejected.length === 0) return undefined;
  const shown = rejected
    .slice(0, REASONS_SHOWN)
    .map((r) => (r.spanId ? `span ${r.spanId}: ${r.reason}` : r.reason));
  const more =
    rejected.length > REASONS_SHOWN ? `; and ${rejected.length - REASONS_SHOWN} more` : '';
  const message = `${rejected.length} span(s) rejected (recorded in spanledger.dead_letter): ${shown.join('; ')}${more}`;
  return {
    rejectedSpans: rejected.length,
    errorMessage:
      message.length > MESSAGE_MAX ? `${message.slice(0, MESSAGE_MAX - 3)}...` : message,
  };
}
