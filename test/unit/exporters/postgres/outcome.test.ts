import { describe, expect, it } from 'vitest';
import {
  deriveTermination,
  readFinishReasons,
  readOutcome,
} from '../../../../exporters/postgres/outcome.js';
import { span } from './fixtures.js';

describe('readOutcome', () => {
  it('is ok with no error columns for an unset or ok status', () => {
    expect(readOutcome(span({ 'gen_ai.response.finish_reasons': ['stop'] }), 100, [])).toEqual({
      status: 'ok',
      error_type: null,
      error_message: null,
      http_status: null,
      finish_reasons: ['stop'],
      termination_reason: 'completed',
    });
  });

  it('takes status ERROR with the exception event for type and message', () => {
    const s = span(
      { 'http.response.status_code': 429 },
      {
        status: { code: 2 },
        events: [
          { name: 'gen_ai.content.prompt', timeMs: 1 },
          {
            name: 'exception',
            timeMs: 2,
            attributes: {
              'exception.type': 'RateLimitError',
              'exception.message': '429 Rate limit reached',
            },
          },
        ],
      },
    );
    expect(readOutcome(s, 100, [])).toMatchObject({
      status: 'error',
      error_type: 'RateLimitError',
      error_message: '429 Rate limit reached',
      http_status: 429,
      termination_reason: 'error',
    });
  });

  it('treats error.type alone as an error and prefers the status message', () => {
    const s = span({ 'error.type': '500' }, { status: { code: 0, message: 'upstream failed' } });
    expect(readOutcome(s, 100, [])).toMatchObject({
      status: 'error',
      error_type: '500',
      error_message: 'upstream failed',
    });
  });

  it("uses '_OTHER' for an error without any type", () => {
    expect(readOutcome(span({}, { status: { code: 2 } }), 100, []).error_type).toBe('_OTHER');
  });

  it('caps the message at 2048 characters and redacts secrets in it', () => {
    const flags: string[] = [];
    const message = `Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz. ${'x'.repeat(5000)}`;
    const outcome = readOutcome(span({}, { status: { code: 2, message } }), 8192, flags);
    expect(outcome.error_message).toHaveLength(2048);
    expect(outcome.error_message).toMatch(/^Incorrect API key provided: \[REDACTED\]\. x+$/);
    expect(flags).toEqual(['redacted', 'truncated']);
  });

  it('ignores an http status that is not an HTTP status', () => {
    expect(
      readOutcome(span({ 'http.response.status_code': 'abc' }), 100, []).http_status,
    ).toBeNull();
    expect(readOutcome(span({ 'http.response.status_code': '503' }), 100, []).http_status).toBe(
      503,
    );
  });

  it('keeps an explicit spanledger.termination_reason', () => {
    const s = span({ 'spanledger.termination_reason': 'budget_exceeded' }, { status: { code: 2 } });
    expect(readOutcome(s, 100, []).termination_reason).toBe('budget_exceeded');
  });
});

describe('readFinishReasons', () => {
  it('reads every convention', () => {
    expect(readFinishReasons({ 'gen_ai.response.finish_reasons': ['stop', 'length'] })).toEqual([
      'stop',
      'length',
    ]);
    expect(readFinishReasons({ 'gen_ai.response.finish_reasons': 'stop' })).toEqual(['stop']);
    expect(readFinishReasons({ 'ai.response.finishReason': 'tool-calls' })).toEqual(['tool-calls']);
    expect(readFinishReasons({ 'ai.finishReason': 'stop' })).toEqual(['stop']);
    expect(readFinishReasons({ 'llm.finish_reason': 'end_turn' })).toEqual(['end_turn']);
    expect(
      readFinishReasons({
        'gen_ai.completion.0.finish_reason': 'stop',
        'gen_ai.completion.1.finish_reason': 'length',
      }),
    ).toEqual(['stop', 'length']);
    expect(readFinishReasons({})).toBeNull();
  });
});

describe('deriveTermination', () => {
  it.each([
    [['stop'], 'completed'],
    [['end_turn'], 'completed'],
    [['STOP'], 'completed'],
    [['length'], 'length'],
    [['max_tokens'], 'length'],
    [['MAX_TOKENS'], 'length'],
    [['content_filter'], 'content_filter'],
    [['content-filter'], 'content_filter'],
    [['SAFETY'], 'content_filter'],
    [['tool_calls'], 'tool_calls'],
    [['tool_use'], 'tool_calls'],
    [['tool-calls'], 'tool_calls'],
    [['stop', 'length'], 'length'],
    [['something-new'], 'completed'],
  ])('ok with %j → %s', (reasons, expected) => {
    expect(deriveTermination('ok', null, reasons)).toBe(expected);
  });

  it.each([
    ['APITimeoutError', 'timeout'],
    ['timeout', 'timeout'],
    ['DEADLINE_EXCEEDED', 'timeout'],
    ['AbortError', 'aborted'],
    ['APIUserAbortError', 'aborted'],
    ['CancelledError', 'aborted'],
    ['RateLimitError', 'error'],
  ])('error %s → %s', (type, expected) => {
    expect(deriveTermination('error', type, ['stop'])).toBe(expected);
  });
});
