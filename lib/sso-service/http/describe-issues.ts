import type { z } from 'zod';
import type { FieldErrorCode } from '@/lib/contract';
import { ApiError, type FieldProblem } from './api-error';

/**
 * Whether the value an issue is about is absent from the request (read from the data itself: zod does not keep
 * the input, and its wording is not a contract).
 */
export function isAbsent(input: unknown, path: readonly PropertyKey[]): boolean {
  let value: unknown = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return true;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value === undefined;
}

interface Problem extends FieldProblem {
  /** The body itself is the problem (not a JSON object). */
  whole?: true;
  /** The schema's own message already names the field ("name is required"): the legacy part is that sentence. */
  ownSentence?: true;
}

/** One zod issue as a field problem; `input`: the request part the issue is about (body, query string, …). */
function problemOf(issue: z.core.$ZodIssue, input: unknown): Problem {
  const field = issue.path.map(String).join('.') || 'body';
  if (issue.code === 'invalid_type' && issue.path.length === 0) {
    return { field, code: 'invalid', message: 'Request body must be a JSON object', whole: true };
  }
  if (issue.code === 'invalid_type' && isAbsent(input, issue.path))
    return { field, code: 'required', message: 'is required' };
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return { field, code: 'invalid_value', message: `must be one of ${issue.values.map(String).join(', ')}` };
  }
  const code: FieldErrorCode =
    issue.code === 'too_big' ? 'too_long' : issue.code === 'too_small' && issue.minimum === 1 ? 'required' : 'invalid';
  // Schema messages such as "name is required" already name the field.
  const named = issue.message.startsWith(`${field} `);
  return named
    ? { field, code, message: issue.message.slice(field.length + 1), ownSentence: true }
    : { field, code, message: issue.message };
}

/** The legacy line's part for one problem: "field: why", or the schema's own "field why" sentence. */
function partOf(p: Problem): string {
  if (p.whole) return p.message;
  return p.ownSentence ? `${p.field} ${p.message}` : `${p.field}: ${p.message}`;
}

/** All validation problems in one readable line, e.g. "name: is required; mode: must be one of live, sandbox". */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  return [...new Set(issues.map((issue) => partOf(problemOf(issue, input))))].join('; ');
}

/** The 400 for a request that failed its schema: the legacy line as `message`, one `errors` entry per field. */
export function invalidRequest(issues: readonly z.core.$ZodIssue[], input: unknown): ApiError {
  const seen = new Set<string>();
  const errors = issues
    .map((issue) => problemOf(issue, input))
    .filter((p) => (seen.has(p.field) ? false : (seen.add(p.field), true)))
    .map(({ field, code, message }) => ({ field, code, message }));
  return new ApiError(400, 'BAD_REQUEST', describeIssues(issues, input), undefined, errors);
}
