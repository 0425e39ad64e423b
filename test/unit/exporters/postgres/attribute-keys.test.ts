import { describe, expect, it } from 'vitest';
import { classifyKey, KeyKind, keyKind } from '../../../../exporters/postgres/attribute-keys.js';

describe('classifyKey', () => {
  it('sorts keys into consumed, content, secret and plain', () => {
    expect(classifyKey('gen_ai.usage.input_tokens')).toBe(KeyKind.Consumed);
    expect(classifyKey('gen_ai.completion.3.finish_reason')).toBe(KeyKind.Consumed);
    expect(classifyKey('gen_ai.input.messages')).toBe(KeyKind.InputContent);
    expect(classifyKey('gen_ai.prompt.12.content')).toBe(KeyKind.InputContent);
    expect(classifyKey('gen_ai.completion.0.content')).toBe(KeyKind.OutputContent);
    expect(classifyKey('http.request.header.authorization')).toBe(KeyKind.Secret);
    expect(classifyKey('gen_ai.request.temperature')).toBe(KeyKind.Plain);
    expect(classifyKey('gen_ai.prompt.name')).toBe(KeyKind.Plain);
    expect(classifyKey('bad\u0000key')).toBe(KeyKind.UnsafePlain);
    expect(classifyKey('k'.repeat(600))).toBe(KeyKind.UnsafePlain);
  });

  it('memoises the same answer', () => {
    expect(keyKind('ai.prompt.messages')).toBe(KeyKind.InputContent);
    expect(keyKind('ai.prompt.messages')).toBe(KeyKind.InputContent);
  });
});
