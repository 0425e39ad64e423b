import { describe, expect, it } from 'vitest';
import { inFlagNames } from '../../../query/cli/api-client.js';
import { unsetEnvReferences } from '../../../shared/index.js';

describe('inFlagNames', () => {
  it('names the flags the CLI sent the parameters from', () => {
    expect(inFlagNames('tenant_id is required with an admin token')).toBe(
      '--tenant is required with an admin token',
    );
    expect(inFlagNames('group_by must be one of model, user (got "x")')).toBe(
      '--by must be one of model, user (got "x")',
    );
    expect(inFlagNames('from must be a date')).toBe('from must be a date');
  });
});

describe('unsetEnvReferences', () => {
  it('names the variables without a default that are unset or empty', () => {
    const env = { SET: 'x', EMPTY: '' };
    expect(unsetEnvReferences('${env:SET}', env)).toEqual([]);
    expect(unsetEnvReferences('${env:MISSING}', env)).toEqual(['MISSING']);
    expect(unsetEnvReferences('a${env:EMPTY}b${env:OTHER:-d}', env)).toEqual(['EMPTY']);
    expect(unsetEnvReferences(42, env)).toEqual([]);
  });
});
