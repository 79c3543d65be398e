import type { MethodOutput } from '../../../gateway/contract/index.js';
import { formatCount, formatMs, formatPercent } from '../lib/format.js';
import { TableHead, type Column } from './TableHead.js';

export type LatencyRow = MethodOutput<'metrics.latency'>['rows'][number];

/**
 * Calls, errors and percentiles per key (tool, server, preset, member…). `compact` keeps only
 * calls, p95 and p99.
 */
export function LatencyTable({ rows, keyLabel, compact, empty = 'No calls in this range.', testId }: { rows: LatencyRow[]; keyLabel: string; compact?: boolean; empty?: string; testId?: string }) {
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  const columns: Column[] = [
    keyLabel,
    { key: 'calls', label: 'Calls', num: true },
    ...(compact
      ? []
      : [
          { key: 'errors', label: 'Errors', num: true },
          { key: 'p50', label: 'p50', num: true },
        ]),
    { key: 'p95', label: 'p95', num: true },
    { key: 'p99', label: 'p99', num: true },
  ];
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid={testId}>
        <TableHead columns={columns} />
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <td className="mono">{row.key}</td>
              <td className="num">{formatCount(row.calls)}</td>
              {compact ? null : <td className="num">{row.errors + row.timeouts > 0 ? `${row.errors + row.timeouts} (${formatPercent(row.errors + row.timeouts, row.calls)})` : '0'}</td>}
              {compact ? null : <td className="num">{formatMs(row.p50)}</td>}
              <td className="num">{formatMs(row.p95)}</td>
              <td className="num">{formatMs(row.p99)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
