import { useEffect, useMemo } from 'react';
import { TimeChart, type ChartSeries } from '../components/Chart.js';
import { LatencyTable } from '../components/LatencyTable.js';
import { EmptyState, ErrorMessage, Spinner, usePolling } from '../components/ui.js';
import { TableHead } from '../components/TableHead.js';
import { formatCount, formatMs, formatPercent, formatTime } from '../lib/format.js';
import { RANGES, useDashboard, type GroupBy, type RangeKey } from '../stores/dashboard.js';
import { usePresets } from '../stores/presets.js';
import { useRouter } from '../stores/router.js';

const GROUPS: Array<{ value: GroupBy; label: string }> = [
  { value: 'tool', label: 'Tool' },
  { value: 'server', label: 'Server' },
  { value: 'preset', label: 'Preset' },
];

export function DashboardScreen() {
  const { range, slug, groupBy, rows, totals, totalsExact, slowest, errors, series, recent, loading, loadingSeries, error, updatedAt } = useDashboard();
  const { setRange, setSlug, setGroupBy, refresh } = useDashboard.getState();
  const presets = usePresets((s) => s.items);
  const navigate = useRouter((s) => s.navigate);

  useEffect(() => {
    void usePresets.getState().load({ search: '' });
    void useDashboard.getState().refresh({ withSeries: true });
  }, []);
  // Live: tables every 5 s, the chart every 30 s (range queries are heavier).
  usePolling(() => void refresh(), 5000);
  usePolling(() => void refresh({ withSeries: true }), 30_000);

  const times = useMemo(() => series.map((p) => p.t), [series]);
  const latencySeries = useMemo<ChartSeries[]>(
    () => [
      { label: 'p50', values: series.map((p) => p.p50), color: '#2f9e44', format: formatMs },
      { label: 'p95', values: series.map((p) => p.p95), color: '#f08c00', format: formatMs },
      { label: 'p99', values: series.map((p) => p.p99), color: '#e03131', format: formatMs },
    ],
    [series],
  );
  const callSeries = useMemo<ChartSeries[]>(
    () => [
      { label: 'Calls', values: series.map((p) => p.calls), color: '#4263eb', kind: 'bars', format: (v) => formatCount(Math.round(v)) },
      { label: 'Error rate', values: series.map((p) => (p.calls > 0 ? (p.errors / p.calls) * 100 : null)), color: '#e03131', scale: 'y2', format: (v) => `${v.toFixed(1)}%` },
    ],
    [series],
  );
  const noData = updatedAt !== null && (totals?.calls ?? 0) === 0 && recent.length === 0;

  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Dashboard</h1>
          <p className="muted">Latency and errors of every call through the gateway, per preset, server and tool.</p>
        </div>
        <div className="row">
          {loading || loadingSeries ? <Spinner label={loadingSeries ? 'Loading the range' : 'Refreshing'} /> : null}
          {updatedAt ? <span className="muted small">Updated {formatTime(new Date(updatedAt).toISOString())}</span> : null}
        </div>
      </header>
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Time range">
          {(Object.keys(RANGES) as RangeKey[]).map((key) => (
            <button key={key} type="button" className={range === key ? 'active' : ''} aria-pressed={range === key} onClick={() => setRange(key)} title={RANGES[key].label}>
              {key}
            </button>
          ))}
        </div>
        <label className="inline-field">
          <span>Preset</span>
          <select value={slug} onChange={(e) => setSlug(e.target.value)} aria-label="Preset">
            <option value="">All presets</option>
            {presets.map((p) => (
              <option key={p.slug} value={p.slug}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage onRetry={() => void refresh({ withSeries: true })}>{error}</ErrorMessage>
      {noData ? (
        <EmptyState
          title="No calls in this range"
          action={
            <button type="button" className="button primary" onClick={() => navigate({ screen: 'playground' })}>
              Try a tool in the Playground
            </button>
          }
        >
          <p>Point an MCP client at a preset (see Connect) or call a tool from the Playground; calls show up here within a second.</p>
        </EmptyState>
      ) : (
        <>
          <div className="kpis" data-testid="kpis">
            <Kpi label="Calls" value={formatCount(totals?.calls ?? 0)} />
            <Kpi label="Error rate" value={formatPercent(totals?.errors ?? 0, totals?.calls ?? 0)} />
            <Kpi label="p50" value={formatMs(totals?.p50)} />
            <Kpi label="p95" value={formatMs(totals?.p95)} />
            <Kpi label="p99" value={formatMs(totals?.p99)} />
          </div>
          {!totalsExact ? <p className="muted small">Over 90 days across presets, the percentiles above are those of the slowest preset (an upper bound); pick a preset for exact values.</p> : null}
          <div className="charts">
            <section className="panel">{series.length > 0 ? <TimeChart title="Latency" times={times} series={latencySeries} yLabel="ms" /> : <Spinner label="Loading chart" />}</section>
            <section className="panel">{series.length > 0 ? <TimeChart title="Calls and error rate" times={times} series={callSeries} y2Label="errors %" /> : <Spinner label="Loading chart" />}</section>
          </div>
          <div className="grid-2 align-start">
            <section className="panel" aria-labelledby="breakdown-title">
              <header className="panel-header">
                <h2 id="breakdown-title">By {groupBy}</h2>
                <span className="spacer" />
                <div className="segmented" role="group" aria-label="Group by">
                  {GROUPS.map((g) => (
                    <button key={g.value} type="button" className={groupBy === g.value ? 'active' : ''} aria-pressed={groupBy === g.value} onClick={() => setGroupBy(g.value)}>
                      {g.label}
                    </button>
                  ))}
                </div>
              </header>
              <LatencyTable rows={rows} keyLabel={groupBy} />
            </section>
            <section className="panel" aria-labelledby="slowest-title">
              <h2 id="slowest-title">Slowest tools (p95)</h2>
              <LatencyTable rows={slowest} keyLabel="tool" compact />
            </section>
          </div>
          {errors && errors.messages.length > 0 ? (
            <section className="panel" aria-labelledby="errors-title">
              <h2 id="errors-title">
                Errors ({formatCount(errors.totals.calls - errors.totals.ok)} of {formatCount(errors.totals.calls)} calls)
              </h2>
              <div className="table-wrap">
                <table className="data-table" data-testid="error-messages">
                  <TableHead columns={['Message', 'Where', 'Kind', { key: 'Count', label: 'Count', num: true }, 'Last seen']} />
                  <tbody>
                    {errors.messages.map((m, i) => (
                      <tr key={`${m.message}-${i}`}>
                        <td>{m.message}</td>
                        <td className="mono small">{[m.presetSlug, m.serverName, m.toolName].filter(Boolean).join(' / ') || '—'}</td>
                        <td>{m.status}</td>
                        <td className="num">{formatCount(m.count)}</td>
                        <td>{formatTime(m.lastSeen, true)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          ) : null}
          <section className="panel" aria-labelledby="recent-title">
            <h2 id="recent-title">Recent calls</h2>
            <div className="table-wrap">
              <table className="data-table" data-testid="recent-calls">
                <TableHead columns={['Time', 'Preset', 'Server', 'Tool', 'Kind', 'Status', { key: 'Latency', label: 'Latency', num: true }]} />
                <tbody>
                  {recent.map((call, i) => (
                    <tr key={`${call.ts}-${i}`} className={call.status === 'ok' ? '' : 'row-error'}>
                      <td>{formatTime(call.ts)}</td>
                      <td>{call.presetSlug ?? '—'}</td>
                      <td>{call.serverName ?? '—'}</td>
                      <td className="mono">{call.toolName ?? '—'}</td>
                      <td className="muted">{call.eventType}</td>
                      <td title={call.errorMessage ?? undefined}>{call.status}</td>
                      <td className="num">{formatMs(call.latencyMs)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </div>
  );
}

function Kpi({ label, value }: { label: string; value: string }) {
  return (
    <div className="kpi">
      <div className="kpi-value">{value}</div>
      <div className="kpi-label">{label}</div>
    </div>
  );
}
