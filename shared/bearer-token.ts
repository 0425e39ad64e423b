import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A configured bearer token and what it grants. */
export interface BearerEntry<T> {
  token: string;
  value: T;
}

/**
 * Resolves `Authorization: Bearer <token>` to the value of the matching configured token, or
 * undefined. Every token is compared in constant time: digests make the lengths equal for
 * timingSafeEqual, and the loop never stops early, so the response time says nothing about how
 * close a guess was or which token matched. Shared by the OTLP receiver and the query API.
 */
export function createBearerLookup<T>(
  entries: ReadonlyArray<BearerEntry<T>>,
): (authorization: string | undefined) => T | undefined {
  const known = entries.map((e) => ({ digest: digest(e.token), value: e.value }));
  return (authorization) => {
    const presented = digest(BEARER.exec(authorization ?? '')?.[1] ?? '');
    let found: T | undefined;
    for (const entry of known) {
      if (timingSafeEqual(presented, entry.digest) && found === undefined) found = entry.value;
    }
    return found;
  };
}
