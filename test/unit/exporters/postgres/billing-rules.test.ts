import { describe, expect, it } from 'vitest';
import { isBillable } from '../../../../exporters/postgres/billing-rules.js';
import type { Classification } from '../../../../exporters/postgres/classify.js';

const leafCall: Classification = {
  eventType: 'llm_call',
  operation: 'chat',
  leaf: true,
  convention: 'otel_genai',
  mcpMethod: null,
};

describe('isBillable', () => {
  it('bills a leaf model call with usage, reported or estimated', () => {
    expect(isBillable(leafCall, 'provider')).toBe(true);
    expect(isBillable(leafCall, 'estimated')).toBe(true);
  });

  it('does not bill a call without usage', () => {
    expect(isBillable(leafCall, 'none')).toBe(false);
  });

  it('does not bill wrappers, agents, tools or MCP calls', () => {
    expect(isBillable({ ...leafCall, leaf: false, convention: 'vercel_ai' }, 'provider')).toBe(
      false,
    );
    expect(isBillable({ ...leafCall, eventType: 'agent_call', leaf: false }, 'provider')).toBe(
      false,
    );
    expect(isBillable({ ...leafCall, eventType: 'tool_call', leaf: false }, 'provider')).toBe(
      false,
    );
    expect(isBillable({ ...leafCall, eventType: 'mcp_call', leaf: false }, 'provider')).toBe(false);
  });
});
