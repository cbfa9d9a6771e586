// Charts of the recovery page, drawn by uPlot: stacked bars per hour, with an
// optional line on a 0–100 % scale. A chart follows its container's width.

import uPlot from 'uplot';
import { stack } from './chart-data.js';

const palette = [
  '#2563eb', '#dc2626', '#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2',
  '#65a30d', '#ea580c', '#4f46e5', '#0d9488', '#be123c', '#a16207', '#475569',
];
const assigned = new Map();

/** A stable colour per series name (an error type keeps its colour across charts and refreshes). */
export function colourOf(name) {
  if (!assigned.has(name)) assigned.set(name, palette[assigned.size % palette.length]);
  return assigned.get(name);
}

const hourFormat = (date) => `${String(date.getHours()).padStart(2, '0')}:00`;
const barPaths = uPlot.paths.bars({ size: [0.8, 40] });

/**
 * A stacked bar chart. `data` is { hours: [ms…], series: [{ name, values, colour? }…],
 * line?: { name, values (0..1 or null), colour } }. Returns { update(data), destroy() }.
 */
export function stackedBarChart(element, data, { height = 220 } = {}) {
  let plot = null;
  let signature = '';
  // The values before stacking, which the legend shows; replaced on every update.
  let original = [];

  function build(next) {
    plot?.destroy();
    signature = seriesSignature(next);
    original = next.series.map((series) => series.values);
    // Drawn from the tallest stack down, so each smaller one shows on top of it.
    const order = next.series.map((series, index) => ({ series, index })).reverse();
    const options = {
      width: Math.max(320, element.clientWidth),
      height,
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      legend: { live: true },
      scales: { x: { time: true }, y: { range: (self, min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] }, rate: { range: [0, 1] } },
      axes: [
        { values: (self, ticks) => ticks.map((tick) => hourFormat(new Date(tick * 1000))), stroke: '#57606a', grid: { stroke: '#eaeef2' } },
        { stroke: '#57606a', grid: { stroke: '#eaeef2' }, size: 44 },
        ...(next.line ? [{ scale: 'rate', side: 1, stroke: '#57606a', grid: { show: false }, values: (self, ticks) => ticks.map((tick) => `${Math.round(tick * 100)}%`), size: 48 }] : []),
      ],
      series: [
        { value: (self, value) => (value === null ? '—' : new Date(value * 1000).toLocaleString()) },
        ...order.map(({ series, index }) => ({
          label: series.name,
          fill: series.colour || colourOf(series.name),
          stroke: series.colour || colourOf(series.name),
          width: 0,
          paths: barPaths,
          points: { show: false },
          value: (self, value, seriesIndex, dataIndex) => (dataIndex === null ? '—' : String(original[index][dataIndex] ?? 0)),
        })),
        ...(next.line ? [{
          label: next.line.name,
          scale: 'rate',
          stroke: next.line.colour,
          width: 2,
          spanGaps: false,
          points: { show: true, size: 4 },
          value: (self, value) => (value === null || value === undefined ? '—' : `${Math.round(value * 100)} %`),
        }] : []),
      ],
    };
    plot = new uPlot(options, plotData(next), element);
  }

  function plotData(next) {
    const sums = stack(next.series.map((series) => series.values));
    return [
      next.hours.map((hour) => hour / 1000),
      ...sums.reverse(),
      ...(next.line ? [next.line.values] : []),
    ];
  }

  const observer = new ResizeObserver(() => {
    if (plot && element.clientWidth > 0 && Math.abs(plot.width - element.clientWidth) > 2) {
      plot.setSize({ width: Math.max(320, element.clientWidth), height });
    }
  });
  observer.observe(element);
  build(data);

  return {
    /** New data; the same series keep the chart, other series build it anew. */
    update(next) {
      if (seriesSignature(next) !== signature) {
        build(next);
        return;
      }
      original = next.series.map((series) => series.values);
      plot.setData(plotData(next));
    },
    destroy() {
      observer.disconnect();
      plot?.destroy();
    },
  };
}

function seriesSignature(data) {
  return data.series.map((series) => series.name).join('|') + (data.line ? '|line' : '');
}
