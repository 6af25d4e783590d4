/**
 * Sums vitest's and Playwright's JSON reports (plus failed build steps) into the one line CI reads:
 *   N passed, N failed[, N skipped]
 * Exits 1 when anything failed. A report that is missing although its runner ran counts as a failure,
 * so a crashed runner can never look green.
 *
 *   tsx scripts/ci-summary.ts [--vitest file] [--playwright file] [--failed-step name]...
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative as relativeTo } from 'node:path';

const relative = (file: string) => relativeTo(process.cwd(), file);

interface Count {
  passed: number;
  failed: number;
  skipped: number;
  notes: string[];
}

const empty = (): Count => ({ passed: 0, failed: 0, skipped: 0, notes: [] });
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function readJson(file: string, runner: string, count: Count): Record<string, unknown> | undefined {
  if (!existsSync(file)) {
    count.failed += 1;
    count.notes.push(`${runner}: no report at ${file} (the runner crashed or did not start) — counted as 1 failure`);
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    count.failed += 1;
    count.notes.push(`${runner}: unreadable report ${file} — counted as 1 failure`);
    return undefined;
  }
}

/** Vitest's JSON reporter (Jest-compatible shape). */
export function countVitest(file: string): Count {
  const count = empty();
  const report = readJson(file, 'vitest', count);
  if (!report) return count;
  count.passed += num(report.numPassedTests);
  count.failed += num(report.numFailedTests);
  count.skipped += num(report.numPendingTests) + num(report.numTodoTests);
  // A file that fails to load has no test results but must still fail the run.
  const suites = Array.isArray(report.testResults) ? (report.testResults as Record<string, unknown>[]) : [];
  for (const suite of suites) {
    const tests = Array.isArray(suite.assertionResults) ? (suite.assertionResults as Record<string, unknown>[]) : [];
    if (suite.status === 'failed' && tests.length === 0) {
      count.failed += 1;
      count.notes.push(`vitest: ${String(suite.name)} failed to run: ${String(suite.message ?? '').split('\n')[0]}`);
    }
    // The last lines of a CI log are often all that is kept: name each failed test there, with its first line.
    for (const test of tests) {
      if (test.status !== 'failed') continue;
      const messages = Array.isArray(test.failureMessages) ? (test.failureMessages as unknown[]) : [];
      const first = String(messages[0] ?? '').split('\n')[0];
      count.notes.push(
        `vitest FAILED: ${relative(String(suite.name))} › ${String(test.fullName ?? test.title)}: ${first}`,
      );
    }
  }
  count.notes.unshift(`vitest: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`);
  return count;
}

/** The "file › title" of each Playwright spec whose outcome was unexpected, walking nested describe blocks. */
function unexpectedSpecs(suites: unknown, out: string[] = []): string[] {
  if (!Array.isArray(suites)) return out;
  for (const suite of suites as Record<string, unknown>[]) {
    const specs = Array.isArray(suite.specs) ? (suite.specs as Record<string, unknown>[]) : [];
    for (const spec of specs) {
      const tests = Array.isArray(spec.tests) ? (spec.tests as Record<string, unknown>[]) : [];
      if (tests.some((t) => t.status === 'unexpected')) out.push(`${String(spec.file)} › ${String(spec.title)}`);
    }
    unexpectedSpecs(suite.suites, out);
  }
  return out;
}

/** Playwright's JSON reporter. */
export function countPlaywright(file: string): Count {
  const count = empty();
  const report = readJson(file, 'playwright', count);
  if (!report) return count;
  const stats = (report.stats ?? {}) as Record<string, unknown>;
  count.passed += num(stats.expected) + num(stats.flaky);
  count.failed += num(stats.unexpected);
  count.skipped += num(stats.skipped);
  // Global errors (web server did not start, a spec file that does not compile) fail the run without a test.
  const errors = Array.isArray(report.errors) ? (report.errors as { message?: string }[]) : [];
  for (const err of errors) {
    count.failed += 1;
    count.notes.push(`playwright: ${(err.message ?? 'error outside any test').split('\n')[0]}`);
  }
  for (const name of unexpectedSpecs(report.suites)) count.notes.push(`playwright FAILED: ${name}`);
  count.notes.unshift(`playwright: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`);
  return count;
}

function main(argv: string[]): number {
  const total = empty();
  const add = (c: Count) => {
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
    total.notes.push(...c.notes);
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i++;
    if (flag === '--vitest') add(countVitest(value));
    else if (flag === '--playwright') add(countPlaywright(value));
    else if (flag === '--failed-step') add({ passed: 0, failed: 1, skipped: 0, notes: [`step failed: ${value}`] });
    else throw new Error(`unknown option ${flag}`);
  }
  console.log('');
  for (const note of total.notes) console.log(`  ${note}`);
  // The CI harness reads this exact shape from the last line.
  console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
  return total.failed > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
