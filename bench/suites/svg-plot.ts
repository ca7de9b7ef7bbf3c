// p99 latency against throughput, one line per contender, as a standalone SVG string (no plotting library).

export interface PlotPoint {
  throughputRps: number;
  p99Ms: number;
}

export interface PlotSeries {
  name: string;
  points: PlotPoint[];
}

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Round numbers (1, 2, 5 × 10^k) spanning [min, max] on a log scale. */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let exp = Math.floor(Math.log10(min)); exp <= Math.ceil(Math.log10(max)); exp++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** exp;
      if (v >= min && v <= max) ticks.push(Number(v.toPrecision(1)));
    }
  }
  return ticks;
}

/** About `count` round steps from 0 to at least max on a linear scale. */
export function linearTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v < max + step && ticks.length <= count + 2; v += step) ticks.push(Number(v.toPrecision(6)));
  return ticks;
}

function label(v: number): string {
  return v >= 1000 ? `${Number((v / 1000).toPrecision(3))}k` : String(Number(v.toPrecision(3)));
}

/** The plot: throughput (req/s, linear) across, p99 (ms, log) up; points of a series joined in throughput order. */
export function p99VsThroughputSvg(title: string, series: PlotSeries[], size = { width: 760, height: 460 }): string {
  const margin = { left: 70, right: 190, top: 40, bottom: 50 };
  const plotW = size.width - margin.left - margin.right;
  const plotH = size.height - margin.top - margin.bottom;
  const points = series.flatMap((s) => s.points).filter((p) => p.throughputRps > 0 && p.p99Ms > 0);
  const xTicks = linearTicks(Math.max(1, ...points.map((p) => p.throughputRps)));
  const xMax = xTicks[xTicks.length - 1];
  const yMinRaw = Math.min(...points.map((p) => p.p99Ms), 1);
  const yMaxRaw = Math.max(...points.map((p) => p.p99Ms), 10);
  const yMin = 10 ** Math.floor(Math.log10(yMinRaw));
  const yMax = 10 ** Math.ceil(Math.log10(yMaxRaw));
  const x = (v: number) => margin.left + (v / xMax) * plotW;
  const y = (v: number) => margin.top + plotH - ((Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH;
  const f = (v: number) => v.toFixed(1);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${size.width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`);
  for (const t of xTicks) {
    out.push(`<line x1="${f(x(t))}" y1="${margin.top}" x2="${f(x(t))}" y2="${margin.top + plotH}" stroke="#eee"/>`);
    out.push(`<text x="${f(x(t))}" y="${margin.top + plotH + 16}" text-anchor="middle">${label(t)}</text>`);
  }
  for (const t of logTicks(yMin, yMax)) {
    out.push(`<line x1="${margin.left}" y1="${f(y(t))}" x2="${margin.left + plotW}" y2="${f(y(t))}" stroke="#eee"/>`);
    out.push(`<text x="${margin.left - 6}" y="${f(y(t) + 4)}" text-anchor="end">${label(t)}</text>`);
  }
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${margin.left + plotW / 2}" y="${size.height - 12}" text-anchor="middle">throughput (successful req/s)</text>`);
  out.push(`<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">p99 latency (ms, log scale)</text>`);
  series.forEach((s, i) => {
    const color = palette[i % palette.length];
    const pts = s.points.filter((p) => p.throughputRps > 0 && p.p99Ms > 0).sort((a, b) => a.throughputRps - b.throughputRps);
    if (pts.length > 1) {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.map((p) => `${f(x(p.throughputRps))},${f(y(p.p99Ms))}`).join(' ')}"/>`);
    }
    for (const p of pts) out.push(`<circle cx="${f(x(p.throughputRps))}" cy="${f(y(p.p99Ms))}" r="3" fill="${color}"/>`);
    const ly = margin.top + 10 + i * 18;
    out.push(`<line x1="${margin.left + plotW + 12}" y1="${ly}" x2="${margin.left + plotW + 32}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${margin.left + plotW + 38}" y="${ly + 4}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
