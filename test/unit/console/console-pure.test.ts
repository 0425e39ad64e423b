import { describe, expect, it } from 'vitest';
import {
  createSessionSigner,
  escapeHtml,
  hostName,
  html,
  jsonScript,
  raw,
  safeNext,
} from '../../../console/index.js';
import { dayAxis, splitSeries } from '../../../console/pages/chart-data.js';
import { buildTraceTree, type TraceSpan } from '../../../console/pages/trace-tree.js';

const XSS = '<img src=x onerror=alert(1)>';

describe('escapeHtml and html``', () => {
  it('escapes every character that can start markup or end an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\``)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;',
    );
  });

  it('escapes interpolations, keeps nested fragments, joins arrays, drops null and false', () => {
    const name = XSS;
    const out = html`<td title="${name}">${name}</td>${[html`<b>${'a&b'}</b>`, 'c<']}${null}${false}${0}`;
    expect(out.value).toBe(
      '<td title="&lt;img src=x onerror=alert(1)&gt;">&lt;img src=x onerror=alert(1)&gt;</td><b>a&amp;b</b>c&lt;0',
    );
    expect(html`${raw('<br>')}`.value).toBe('<br>');
  });

  it('writes JSON for a script block that no value can close', () => {
    const block = jsonScript('d', { s: '</script><script>alert(1)</script>', u: '\u2028' }).value;
    expect(block).not.toContain('</script><script>');
    const json = block.slice(block.indexOf('>') + 1, block.lastIndexOf('</script>'));
    expect(JSON.parse(json)).toEqual({ s: '</script><script>alert(1)</script>', u: '\u2028' });
  });
});

describe('session cookies', () => {
  const signer = createSessionSigner(Buffer.alloc(32, 7));

  it('round-trips a principal until it expires', () => {
    const value = signer.sign({ principal: { kind: 'tenant', tenant: 'acme' }, expires: 2_000 });
    expect(signer.verify(value, 1_000)).toEqual({
      principal: { kind: 'tenant', tenant: 'acme' },
      expires: 2_000,
    });
    expect(signer.verify(value, 2_000)).toBeUndefined();
  });

  it('refuses a changed payload, a changed MAC, another key and garbage', () => {
    const value = signer.sign({ principal: { kind: 'tenant', tenant: 'acme' }, expires: 2_000 });
    const [payload, mac] = value.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify({ principal: { kind: 'admin' }, expires: 2_000 }),
    ).toString('base64url');
    expect(signer.verify(`${forged}.${mac}`, 1_000)).toBeUndefined();
    expect(signer.verify(`${payload}.${mac.slice(0, -1)}A`, 1_000)).toBeUndefined();
    expect(createSessionSigner(Buffer.alloc(32, 8)).verify(value, 1_000)).toBeUndefined();
    for (const junk of [undefined, '', '.', 'abc', `${payload}.`]) {
      expect(signer.verify(junk, 1_000)).toBeUndefined();
    }
  });
});

describe('hostName', () => {
  it('takes the name out of a Host header', () => {
    expect(hostName('127.0.0.1:4319')).toBe('127.0.0.1');
    expect(hostName('[::1]:4319')).toBe('::1');
    expect(hostName('localhost')).toBe('localhost');
    expect(hostName('attacker.example:4319')).toBe('attacker.example');
    expect(hostName(undefined)).toBe('');
  });
});

describe('safeNext', () => {
  it('keeps paths of this console and turns anything else into /', () => {
    expect(safeNext('/audit?user_id=ann')).toBe('/audit?user_id=ann');
    for (const bad of [
      '//evil.example/',
      '/\\evil.example',
      'https://evil.example/',
      'audit',
      5,
      undefined,
      '/a b',
    ]) {
      expect(safeNext(bad)).toBe('/');
    }
  });
});

const span = (id: string, parent: string | null, start: number, ms: number): TraceSpan =>
  ({
    trace_id: 't',
    span_id: id,
    parent_span_id: parent,
    started_at: new Date(start).toISOString(),
    ended_at: new Date(start + ms).toISOString(),
    duration_ms: ms,
    event_type: 'llm_call',
    status: 'ok',
  }) as TraceSpan;

describe('buildTraceTree', () => {
  it('nests children in start order, makes orphans roots and places bars on the timeline', () => {
    const tree = buildTraceTree([
      span('c2', 'root', 1_500, 250),
      span('root', null, 1_000, 1_000),
      span('c1', 'root', 1_100, 300),
      span('orphan', 'not-in-ledger', 1_200, 100),
    ]);
    expect(tree.map((n) => n.span.span_id)).toEqual(['root', 'orphan']);
    expect(tree[0]!.children.map((n) => n.span.span_id)).toEqual(['c1', 'c2']);
    expect(tree[0]!.children[1]).toMatchObject({ depth: 1, offset: 0.5, width: 0.25 });
  });

  it('ends a parent cycle in bad input instead of looping', () => {
    const tree = buildTraceTree([span('a', 'b', 0, 10), span('b', 'a', 5, 10)]);
    expect(tree).toEqual([]);
  });
});

describe('splitSeries', () => {
  it('puts each key on the day axis, largest first, the rest in "other"', () => {
    const x = dayAxis('2026-01-01', 2);
    const rows = [
      { day: '2026-01-01', model: 'a', calls: 1 },
      { day: '2026-01-02', model: 'b', calls: 5 },
      { day: '2026-01-02', model: null, calls: 2 },
      ...Array.from({ length: 9 }, (_, i) => ({ day: '2026-01-01', model: `m${i}`, calls: 0.5 })),
    ];
    const series = splitSeries(rows, 'model', 'calls', x);
    expect(series[0]).toEqual({ label: 'b', values: [0, 5] });
    expect(series[1]).toEqual({ label: '(none)', values: [0, 2] });
    expect(series.at(-1)!.label).toBe('other');
    expect(series).toHaveLength(9);
  });
});
