import { customType, timestamp } from 'drizzle-orm/pg-core';

/**
 * Millisecond precision everywhere: a JS Date round-trips exactly, which keyset cursors on
 * (created_at, id) rely on (microseconds would be lost in the cursor and skip or repeat rows).
 */
export const tsCol = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });

/** bytea (drizzle 0.45 has no built-in column for it). */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

