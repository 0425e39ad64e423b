import { APIPromise } from 'openai/core/api-promise';
import { describe, expect, it } from 'vitest';
import { observeApiPromise } from '../../../instrumentation/api-promise.js';

// The real Stainless APIPromise class of the openai package, fed a response promise directly, so
// each path (parsed, failed request, failed parse, fallback) is driven without a server.
type Parse = ConstructorParameters<typeof APIPromise>[2];

/** What the SDK's request step resolves to: the fetch Response and the request details. */
const props = () => ({ response: new Response('{}', { headers: { 'x-request-id': 'req_1' } }) });

function apiPromise(response: Promise<unknown>, parse: (props: unknown) => unknown) {
  // The SDK's client and request-props types are internal: the test passes what the class reads.
  type Args = ConstructorParameters<typeof APIPromise>;
  return new APIPromise(
    {} as Args[0],
    response as Args[1],
    ((_client: unknown, props: unknown) => parse(props)) as Parse,
  );
}

function observer() {
  const seen = { values: [] as unknown[], errors: [] as unknown[] };
  return {
    seen,
    onValue: (value: unknown) => {
      seen.values.push(value);
      return value;
    },
    onError: (error: unknown) => {
      seen.errors.push(error);
    },
  };
}

describe('observeApiPromise', () => {
  it('returns the same APIPromise and sees the parsed value once, however often it is awaited', async () => {
    const watch = observer();
    const original = apiPromise(Promise.resolve(props()), async () => ({ id: 'r1' }));
    const observed = observeApiPromise(original, watch);
    expect(observed).toBe(original);
    expect(await observed).toEqual({ id: 'r1' });
    const { data, request_id } = await observed.withResponse();
    expect(data).toEqual({ id: 'r1' });
    expect(request_id).toBe('req_1');
    expect(watch.seen.values).toEqual([{ id: 'r1' }]);
    expect(watch.seen.errors).toEqual([]);
  });

  it('sees a failed request, and the app still gets the same rejection', async () => {
    const watch = observer();
    const failure = new Error('429 rate limited');
    const observed = observeApiPromise(
      apiPromise(Promise.reject(failure), async () => 'never'),
      watch,
    );
    await expect(observed).rejects.toBe(failure);
    expect(watch.seen.errors).toEqual([failure]);
    expect(watch.seen.values).toEqual([]);
  });

  it('sees a body that fails to parse', async () => {
    const watch = observer();
    const failure = new SyntaxError('Unexpected token');
    const observed = observeApiPromise(
      apiPromise(Promise.resolve(props()), async () => {
        throw failure;
      }),
      watch,
    );
    await expect(observed).rejects.toBe(failure);
    expect(watch.seen.errors).toEqual([failure]);
  });

  it('falls back to _thenUnwrap when the promise cannot be observed in place', async () => {
    const watch = observer();
    const original = apiPromise(Promise.resolve(props()), async () => ({ id: 'r2' }));
    Object.preventExtensions(original);
    const observed = observeApiPromise(original, watch);
    expect(observed).not.toBe(original);
    expect(await observed).toEqual({ id: 'r2' });
    expect(watch.seen.values).toEqual([{ id: 'r2' }]);
  });

  it('an observer that throws is logged, never thrown into the app', async () => {
    const original = apiPromise(Promise.resolve(props()), async () => ({ id: 'r3' }));
    const observed = observeApiPromise(original, {
      onValue: () => {
        throw new Error('instrumentation bug');
      },
      onError: () => {},
    });
    expect(await observed).toEqual({ id: 'r3' });
  });
});
