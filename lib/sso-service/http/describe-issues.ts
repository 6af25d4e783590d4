import type { z } from 'zod';

/** All validation problems in one readable line, e.g. "name: is required; mode: must be one of live, sandbox". */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.map((issue) => {
    const field = issue.path.map(String).join('.') || 'body';
    if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) {
      return `${field}: is required`;
    }
    if (issue.code === 'invalid_type' && issue.path.length === 0) return 'Request body must be a JSON object';
    if (issue.code === 'invalid_value' && 'values' in issue) {
      return `${field}: must be one of ${issue.values.map(String).join(', ')}`;
    }
    return `${field}: ${issue.message}`;
  });
  return [...new Set(parts)].join('; ');
}
