import type { z } from 'zod';
import type { FieldErrorCode } from '@/lib/contract';
import { ApiError, type FieldProblem } from './api-error';

/** One zod issue as a field problem; `whole` when it is the body itself (not a JSON object). */
function problemOf(issue: z.core.$ZodIssue): (FieldProblem & { whole?: true }) {
  const field = issue.path.map(String).join('.') || 'body';
  if (issue.code === 'invalid_type' && issue.path.length === 0) {
    return { field, code: 'invalid', message: 'Request body must be a JSON object', whole: true };
  }
  // zod does not keep the input by default; its message is the only place that says "undefined".
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return { field, code: 'required', message: 'is required' };
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return { field, code: 'invalid_value', message: `must be one of ${issue.values.map(String).join(', ')}` };
  }
  const code: FieldErrorCode = issue.code === 'too_big' ? 'too_long' : issue.code === 'too_small' && issue.minimum === 1 ? 'required' : 'invalid';
  // Schema messages such as "name is required" already name the field.
  const message = issue.message.startsWith(`${field} `) ? issue.message.slice(field.length + 1) : issue.message;
  return { field, code, message };
}

/** The legacy line's part for one issue: "field: why", or the schema's own "field why" sentence. */
function partOf(issue: z.core.$ZodIssue): string {
  const p = problemOf(issue);
  if (p.whole) return p.message;
  const ownSentence = issue.message.startsWith(`${p.field} `) && p.message === issue.message.slice(p.field.length + 1);
  return ownSentence ? issue.message : `${p.field}: ${p.message}`;
}

/** All validation problems in one readable line, e.g. "name: is required; mode: must be one of live, sandbox". */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return [...new Set(issues.map(partOf))].join('; ');
}

/** The 400 for a request that failed its schema: the legacy line as `message`, one `errors` entry per field. */
export function invalidRequest(issues: readonly z.core.$ZodIssue[]): ApiError {
  const seen = new Set<string>();
  const errors = issues
    .map(problemOf)
    .filter((p) => (seen.has(p.field) ? false : (seen.add(p.field), true)))
    .map(({ field, code, message }) => ({ field, code, message }));
  return new ApiError(400, 'BAD_REQUEST', describeIssues(issues), undefined, errors);
}
