import { defineConfig } from 'drizzle-kit';

// Generate only (`npm run db:generate`); never `drizzle-kit push`: it cannot see the partitioned
// metrics_events parent and would "fix" it. The generated SQL for metrics_events is hand-edited.
export default defineConfig({
  dialect: 'postgresql',
  schema: './gateway/db/schema.ts',
  out: './migrations',
});
