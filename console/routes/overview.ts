import type { FastifyInstance } from 'fastify';
import { parseParams, type QueryService, quotaParams, usageParams } from '../../query/index.js';
import { firstDay } from '../format.js';
import { RANGES, renderOverview, SPLITS, type Split } from '../pages/overview.js';
import { pickQuery, sendPage, type ViewerOf } from '../request.js';

/**
 * GET /: usage charts, rankings and quotas for a range of days and one tenant (or, for an admin,
 * every tenant). Each read is a rollup or an index walk (query/overview-sql.ts), in reader
 * transactions side by side on the API's pool.
 */
export function overviewRoute(
  scope: FastifyInstance,
  service: QueryService,
  viewer: ViewerOf,
  now: () => Date,
) {
  scope.get('/', async (request, reply) => {
    const { principal } = viewer(request);
    const q = pickQuery(request.query, ['days', 'split', 'tenant_id']);
    const days = (RANGES as readonly number[]).includes(Number(q.days)) ? Number(q.days) : 30;
    const split: Split = (SPLITS as readonly string[]).includes(q.split ?? '')
      ? (q.split as Split)
      : 'model';
    const tenant = principal.kind === 'tenant' ? principal.tenant : q.tenant_id;
    const first = firstDay(days, now());
    const scopeFilter = principal.kind === 'admin' && tenant ? { tenant_id: tenant } : {};
    const usage = (groupBy: string, limit: number) =>
      service.usage(
        principal,
        parseParams(usageParams, {
          group_by: groupBy,
          from: first,
          limit: String(limit),
          ...scopeFilter,
        }),
      );
    // Independent reads, each in its own reader transaction: run side by side on the pool.
    const [daily, bySplit, tenants, ranked, quotas] = await Promise.all([
      usage(`day,${split}`, 10_000),
      usage(split, 50),
      principal.kind === 'admin' ? service.tenants(principal) : undefined,
      service.rankings(principal, { from: first, tenant: tenant || undefined }, 10),
      tenant && service.quotaRules().length > 0
        ? Promise.all(
            (['day', 'month'] as const).map((period) =>
              service.quota(principal, parseParams(quotaParams, { period, tenant_id: tenant })),
            ),
          )
        : [],
    ]);
    return sendPage(
      reply,
      200,
      'Overview',
      viewer(request),
      '/',
      renderOverview({
        days,
        first,
        split,
        tenant,
        tenants,
        daily,
        bySplit,
        slowest: JSON.parse(ranked.slowest),
        costliest: JSON.parse(ranked.costliest),
        tools: JSON.parse(ranked.tools),
        mcpServers: JSON.parse(ranked.mcpServers),
        quotas,
      }),
    );
  });
}
