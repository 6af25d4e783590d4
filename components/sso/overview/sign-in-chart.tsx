/**
 * Sign-ins over time as stacked bars: successes, then failures by reason. Drawn with visx (SVG primitives and
 * d3 scales as React components) in a server component, so the chart costs the browser no JavaScript and shows
 * without it; the table beside it (SignInTable) carries the same figures for screen readers and exact values.
 */
import { AxisBottom, AxisLeft } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleBand, scaleLinear, scaleOrdinal } from '@visx/scale';
import { BarStack } from '@visx/shape';
import type { StatsPeriod } from '@/lib/contract/stats';
import { chartFailures, type SeriesPoint } from '@/lib/console/overview';
import { reasonLabel } from './reason-label';

const WIDTH = 720;
const HEIGHT = 260;
const MARGIN = { top: 12, right: 12, bottom: 36, left: 44 };

const SUCCESS_COLOR = '#15803d';
/** Failure colours, distinguishable and ≥ 3:1 against white (WCAG non-text contrast). */
const FAILURE_COLORS = ['#b91c1c', '#c2410c', '#a16207', '#7e22ce', '#be185d', '#4b5563'];

type Row = Record<string, number | string> & { start: string };

function tickLabel(iso: string, period: StatsPeriod): string {
  const d = new Date(iso);
  return period === '24h'
    ? `${String(d.getUTCHours()).padStart(2, '0')}:00`
    : `${d.getUTCDate()}/${d.getUTCMonth() + 1}`;
}

export function SignInChart({
  series,
  reasons,
  period,
  titleId,
  descriptionId,
}: {
  series: readonly SeriesPoint[];
  reasons: readonly string[];
  period: StatsPeriod;
  titleId: string;
  descriptionId: string;
}) {
  const keys = ['success', ...reasons.map((r) => `failure:${r}`)];
  const rows: Row[] = series.map((p) => {
    const failures = chartFailures(p, reasons);
    return {
      start: p.start,
      success: p.success,
      ...Object.fromEntries(reasons.map((r) => [`failure:${r}`, failures[r] ?? 0])),
    };
  });
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const max = Math.max(1, ...series.map((p) => p.success + p.failure));
  const x = scaleBand<string>({ domain: rows.map((r) => r.start), range: [0, innerWidth], padding: 0.2 });
  const y = scaleLinear<number>({ domain: [0, max], range: [innerHeight, 0], nice: true });
  const color = scaleOrdinal<string, string>({
    domain: keys,
    range: [SUCCESS_COLOR, ...reasons.map((_, i) => FAILURE_COLORS[i % FAILURE_COLORS.length] ?? '#4b5563')],
  });
  const every = Math.max(1, Math.ceil(rows.length / 8));
  const total = series.reduce((n, p) => n + p.success + p.failure, 0);

  return (
    <figure className="space-y-3">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        className="h-auto w-full"
        role="img"
        aria-labelledby={`${titleId} ${descriptionId}`}
        data-attempts={total}
      >
        <Group left={MARGIN.left} top={MARGIN.top}>
          <BarStack<Row, string> data={rows} keys={keys} x={(r) => r.start} xScale={x} yScale={y} color={color}>
            {(stacks) =>
              stacks.map((stack) =>
                stack.bars.map((bar) =>
                  bar.height > 0 ? (
                    <rect
                      key={`${stack.key}-${bar.index}`}
                      x={bar.x}
                      y={bar.y}
                      width={bar.width}
                      height={bar.height}
                      fill={bar.color}
                    />
                  ) : null,
                ),
              )
            }
          </BarStack>
          <AxisLeft
            scale={y}
            numTicks={4}
            tickFormat={(v) => (Number.isInteger(Number(v)) ? String(v) : '')}
            stroke="#6b7280"
            tickStroke="#6b7280"
            tickLabelProps={{ fill: '#374151', fontSize: 11, textAnchor: 'end', dx: -4, dy: 3 }}
          />
          <AxisBottom
            top={innerHeight}
            scale={x}
            tickValues={rows.filter((_, i) => i % every === 0).map((r) => r.start)}
            tickFormat={(v) => tickLabel(String(v), period)}
            stroke="#6b7280"
            tickStroke="#6b7280"
            tickLabelProps={{ fill: '#374151', fontSize: 11, textAnchor: 'middle' }}
          />
        </Group>
      </svg>
      <figcaption>
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-gray-700" aria-label="Legend">
          {keys.map((key) => (
            <li key={key} className="flex items-center gap-1.5">
              <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm" style={{ background: color(key) }} />
              {key === 'success' ? 'Succeeded' : `Failed: ${reasonLabel(key.slice('failure:'.length))}`}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
