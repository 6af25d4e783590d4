export interface Target {
  id: string;
  description: string;
  /** Formatted measured value. */
  value: string;
  pass: boolean | null;
  /** Human margin, e.g. "+1.2 ms (60%) under" or "missing". */
  margin: string;
}

function fmtPct(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
}

/** value must be below limit. */
export function below(id: string, description: string, value: number, limit: number, unit: string, digits = 2): Target {
  if (!Number.isFinite(value)) return { id, description, value: 'n/a', pass: null, margin: 'not measured' };
  const room = limit - value;
  return {
    id,
    description,
    value: `${value.toFixed(digits)} ${unit}`,
    pass: value < limit,
    margin:
      `${Math.abs(room).toFixed(digits)} ${unit === '%' ? 'points' : unit} ${room >= 0 ? 'to spare' : 'over'}` +
      // A relative margin of a percentage is meaningless; of an absolute limit it says how close it was.
      (unit === '%' ? '' : ` (${fmtPct((room / limit) * 100)})`),
  };
}

/** value must be at least limit. */
export function atLeast(
  id: string,
  description: string,
  value: number,
  limit: number,
  unit: string,
  digits = 0,
): Target {
  if (!Number.isFinite(value)) return { id, description, value: 'n/a', pass: null, margin: 'not measured' };
  const room = value - limit;
  return {
    id,
    description,
    value: `${value.toFixed(digits)} ${unit}`,
    pass: value >= limit,
    margin: `${room >= 0 ? '+' : '-'}${Math.abs(room).toFixed(digits)} ${unit} (${fmtPct((room / limit) * 100)})`,
  };
}

export function exact(id: string, description: string, ok: boolean | null, value: string, margin = ''): Target {
  return {
    id,
    description,
    value,
    pass: ok,
    margin: margin || (ok === null ? 'not measured' : ok ? 'as required' : 'differs'),
  };
}

/** Plain fixed-width table; no colours so the output can be pasted into an issue. */
export function table(headers: string[], rows: (string | number)[][], align: ('l' | 'r')[] = []): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => ((align[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function fmt(x: number | undefined, digits = 2): string {
  return x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}

export function verdict(t: Target): string {
  return t.pass === null ? 'SKIP' : t.pass ? 'PASS' : 'MISS';
}
