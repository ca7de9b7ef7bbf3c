// The run over time as a standalone SVG: request rate, p99 against the SLA, and replicas, in three panels that share
// the time axis. The axis ticks are bench/suites/svg-plot.ts's.
import { linearTicks, logTicks } from '../../bench/suites/svg-plot.js';
import type { LiveObservation, ReplicaChange } from './observe.js';
import type { LoadSecond } from './segments.js';

export interface AutoscalePlotInput {
  title: string;
  /** ms since the epoch of time 0 on the axis (the load's start). */
  origin: number;
  /** Length of the axis, in seconds. */
  seconds: number;
  load: readonly LoadSecond[];
  replicas: readonly ReplicaChange[];
  live: readonly LiveObservation[];
  slaP99Ms: number;
  /** Vertical markers, e.g. the phase changes. */
  marks: { at: number; label: string }[];
}

const colors = { offered: '#999', served: '#1f77b4', p99: '#d62728', live: '#9467bd', sla: '#333', asked: '#ff7f0e', ready: '#2ca02c' };
const escapeXml = (text: string): string => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const f = (v: number): string => v.toFixed(1);

interface Panel {
  top: number;
  height: number;
  y(v: number): number;
}

export function autoscaleSvg(input: AutoscalePlotInput): string {
  const width = 900;
  const margin = { left: 70, right: 170, top: 40, bottom: 45 };
  const panelHeight = 170;
  const gap = 30;
  const height = margin.top + 3 * panelHeight + 2 * gap + margin.bottom;
  const plotW = width - margin.left - margin.right;
  const xTicks = linearTicks(Math.max(1, input.seconds), 10);
  const xMax = xTicks.at(-1)!;
  const x = (at: number): number => margin.left + (Math.max(0, (at - input.origin) / 1000) / xMax) * plotW;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push('<rect width="100%" height="100%" fill="white"/>');
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(input.title)}</text>`);

  const frame = (index: number, label: string, yTicks: number[], y: (v: number) => number): Panel => {
    const top = margin.top + index * (panelHeight + gap);
    for (const t of xTicks) out.push(`<line x1="${f(margin.left + (t / xMax) * plotW)}" y1="${top}" x2="${f(margin.left + (t / xMax) * plotW)}" y2="${top + panelHeight}" stroke="#eee"/>`);
    for (const t of yTicks) {
      out.push(`<line x1="${margin.left}" y1="${f(y(t))}" x2="${margin.left + plotW}" y2="${f(y(t))}" stroke="#eee"/>`);
      out.push(`<text x="${margin.left - 6}" y="${f(y(t) + 4)}" text-anchor="end">${t}</text>`);
    }
    out.push(`<rect x="${margin.left}" y="${top}" width="${plotW}" height="${panelHeight}" fill="none" stroke="#333"/>`);
    out.push(`<text transform="translate(18 ${top + panelHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(label)}</text>`);
    for (const m of input.marks) {
      out.push(`<line x1="${f(x(m.at))}" y1="${top}" x2="${f(x(m.at))}" y2="${top + panelHeight}" stroke="#555" stroke-dasharray="3,3"/>`);
      if (index === 0) out.push(`<text x="${f(x(m.at) + 4)}" y="${top + 12}">${escapeXml(m.label)}</text>`);
    }
    return { top, height: panelHeight, y };
  };
  const linearPanel = (index: number, label: string, max: number): Panel => {
    const ticks = linearTicks(Math.max(1, max), 4);
    const top = margin.top + index * (panelHeight + gap);
    const yMax = ticks.at(-1)!;
    return frame(index, label, ticks, (v) => top + panelHeight - (Math.min(v, yMax) / yMax) * panelHeight);
  };
  const legend = (panel: Panel, entries: { color: string; label: string; dashed?: boolean }[]): void => {
    entries.forEach((e, i) => {
      const ly = panel.top + 12 + i * 18;
      const lx = margin.left + plotW + 12;
      out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 20}" y2="${ly}" stroke="${e.color}" stroke-width="2"${e.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
      out.push(`<text x="${lx + 26}" y="${ly + 4}">${escapeXml(e.label)}</text>`);
    });
  };
  const line = (points: [number, number][], color: string, dashed = false): void => {
    if (points.length > 1) {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5"${dashed ? ' stroke-dasharray="5,3"' : ''} points="${points.map(([px, py]) => `${f(px)},${f(py)}`).join(' ')}"/>`);
    }
  };
  const steps = <T>(items: readonly T[], at: (item: T) => number, value: (item: T) => number, end: number): [number, number][] => {
    const points: [number, number][] = [];
    items.forEach((item, i) => {
      if (i > 0) points.push([at(item), value(items[i - 1])]);
      points.push([at(item), value(item)]);
    });
    if (items.length > 0) points.push([end, value(items.at(-1)!)]);
    return points;
  };
  const end = input.origin + input.seconds * 1000;
  const inRange = <T extends { at: number }>(items: readonly T[]): T[] => items.filter((i) => i.at >= input.origin && i.at <= end);
  const live = inRange(input.live);

  // 1. request rate
  const rpsMax = Math.max(...input.load.map((s) => Math.max(s.offeredRps, s.ok)), ...live.map((l) => l.rps ?? 0), 1);
  const rate = linearPanel(0, 'requests per second', rpsMax);
  line(steps(input.load, (s) => x(s.at), (s) => rate.y(s.offeredRps), x(end)), colors.offered, true);
  line(input.load.map((s) => [x(s.at + 500), rate.y(s.ok)]), colors.served);
  line(live.filter((l) => l.rps !== undefined).map((l) => [x(l.at), rate.y(l.rps!)]), colors.live);
  legend(rate, [
    { color: colors.offered, label: 'offered (open loop)', dashed: true },
    { color: colors.served, label: 'answered OK, per s' },
    { color: colors.live, label: 'operator: live rps' },
  ]);

  // 2. p99, log scale; a second without any successful request sits at the top
  const p99s = [...input.load.map((s) => s.p99Ms ?? 0), ...live.map((l) => l.p99Ms ?? 0)].filter((v) => v > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(input.slaP99Ms / 10, ...p99s)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(input.slaP99Ms * 2, ...p99s.map((v) => Math.min(v, 60_000)))));
  const top = margin.top + panelHeight + gap;
  const logY = (v: number): number => top + panelHeight - ((Math.log10(Math.min(Math.max(v, yMin), yMax)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * panelHeight;
  const latency = frame(1, 'p99 latency (ms, log)', logTicks(yMin, yMax), logY);
  line([[x(input.origin), logY(input.slaP99Ms)], [x(end), logY(input.slaP99Ms)]], colors.sla, true);
  line(input.load.map((s) => [x(s.at + 500), logY(s.p99Ms ?? yMax)]), colors.p99);
  line(live.filter((l) => l.p99Ms !== undefined).map((l) => [x(l.at), logY(l.p99Ms!)]), colors.live);
  legend(latency, [
    { color: colors.p99, label: 'clients: p99 per s' },
    { color: colors.live, label: 'operator: live p99' },
    { color: colors.sla, label: `SLA ${input.slaP99Ms} ms`, dashed: true },
  ]);

  // 3. replicas
  const replicas = inRange(input.replicas);
  const before = input.replicas.filter((c) => c.at < input.origin).at(-1);
  const changes = before ? [{ ...before, at: input.origin }, ...replicas] : replicas;
  const count = linearPanel(2, 'replicas', Math.max(...changes.map((c) => c.replicas), 1));
  line(steps(changes, (c) => x(c.at), (c) => count.y(c.replicas), x(end)), colors.asked);
  line(steps(changes, (c) => x(c.at), (c) => count.y(c.ready), x(end)), colors.ready);
  legend(count, [
    { color: colors.asked, label: 'asked for' },
    { color: colors.ready, label: 'ready' },
  ]);

  const bottom = margin.top + 3 * panelHeight + 2 * gap;
  for (const t of xTicks) out.push(`<text x="${f(margin.left + (t / xMax) * plotW)}" y="${bottom + 16}" text-anchor="middle">${t}</text>`);
  out.push(`<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">seconds since the load started</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
