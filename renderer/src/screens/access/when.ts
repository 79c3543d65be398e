import { formatDateTime } from '../../lib/format.js';

/** A timestamp for the Access tables and dialogs, or `none` when there is none. */
export function when(iso: string | null, none: string): string {
  return iso ? formatDateTime(iso) : none;
}
