import type { DatabaseTargetConfig } from '../../shared/database/index.js';
import type { QueryApiConfig } from '../config.js';

/**
 * What the query commands read of the collector's config file: the query API's settings (quotas,
 * timeouts) and how long to wait for Postgres. The CLI passes the whole resolved config.
 */
export interface QueryCliConfig {
  readonly extensions: { readonly query_api: Readonly<QueryApiConfig> };
  readonly exporters: {
    readonly postgres: Readonly<DatabaseTargetConfig> & { readonly connect_timeout: number };
  };
}
