import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useApp } from '../stores/app.js';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  color: string;
  kind?: 'line' | 'bars';
  /** Which y axis: 'y' (left) or 'y2' (right). */
  scale?: 'y' | 'y2';
  format?: (v: number) => string;
}

function cssVar(name: string, fallback: string): string {
  if (typeof document === 'undefined') return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** A time-series chart (uPlot). `times` are ms since epoch. */
export function TimeChart({
  title,
  times,
  series,
  height = 220,
  yLabel,
  y2Label,
}: {
  title: string;
  times: number[];
  series: ChartSeries[];
  height?: number;
  yLabel?: string;
  y2Label?: string;
}) {
  const holder = useRef<HTMLDivElement | null>(null);
  const theme = useApp((s) => s.theme);

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const text = cssVar('--text-muted', '#667');
    const grid = cssVar('--border', '#ddd');
    const axis = (scale: string, label: string | undefined, format: ((v: number) => string) | undefined, side?: number): uPlot.Axis => ({
      scale,
      stroke: text,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      ...(label ? { label } : {}),
      ...(side !== undefined ? { side } : {}),
      ...(format ? { values: (_u: uPlot, splits: number[]) => splits.map((v) => format(v)) } : {}),
      size: 56,
    });
    const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined;
    const hasY2 = series.some((s) => s.scale === 'y2');
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height,
      title,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] }, ...(hasY2 ? { y2: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } } : {}) },
      axes: [
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
        axis('y', yLabel, series.find((s) => (s.scale ?? 'y') === 'y')?.format),
        ...(hasY2 ? [axis('y2', y2Label, series.find((s) => s.scale === 'y2')?.format, 1)] : []),
      ],
      series: [
        {},
        ...series.map(
          (s): uPlot.Series => ({
            label: s.label,
            stroke: s.color,
            width: s.kind === 'bars' ? 0 : 2,
            scale: s.scale ?? 'y',
            spanGaps: false,
            points: { show: times.length <= 32, size: 4 },
            ...(s.kind === 'bars' && bars ? { paths: bars, fill: `${s.color}99` } : {}),
            ...(s.format ? { value: (_u: uPlot, v: number | null) => (v === null ? '—' : (s.format as (v: number) => string)(v)) } : {}),
          }),
        ),
      ],
    };
    const data: uPlot.AlignedData = [times.map((t) => t / 1000), ...series.map((s) => s.values)];
    const plot = new uPlot(opts, data, el);
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height }));
    observer?.observe(el);
    return () => {
      observer?.disconnect();
      plot.destroy();
    };
  }, [times, series, height, title, yLabel, y2Label, theme]);

  return <div className="chart" ref={holder} role="img" aria-label={title} />;
}
