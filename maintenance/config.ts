import cron from 'node-cron';
import { z } from 'zod';
import { intBetween } from '../shared/index.js';

const schedule = z
  .string({ error: 'must be a cron expression such as "0 3 * * *"' })
  .refine((s) => cron.validate(s), {
    error: 'must be a cron expression such as "0 3 * * *" (5 fields, or 6 with seconds)',
  });

/**
 * extensions.maintenance: keeps monthly partitions `months_ahead` into the future, once per
 * `schedule` tick (daily by default; the first tick runs when the database is ready).
 */
export const maintenanceSchema = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
  schedule: schedule.default('0 3 * * *'),
  // spanledger.ensure_partitions accepts 0 to 24.
  months_ahead: intBetween(0, 24, 3),
});

/** The validated extensions.maintenance section. */
export type MaintenanceConfig = z.output<typeof maintenanceSchema>;
