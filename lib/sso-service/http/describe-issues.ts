import type { z } from 'zod';

/** All validation problems in one readable line, e.g. "name: is required; mode: must be one of live, sandbox". */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.map((issue) => {
    const field = issue.path.map(String).join('.') || 'body';
    if (issue.code === 'invalid_type' && issue.path.length === 0) return 'Request body must be a JSON object';
    // zod does not keep the input by default; its message is the only place that says "undefined".
    if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return `${field}: is required`;
    if (issue.code === 'invalid_value' && 'values' in issue) {
      return `${field}: must be one of ${issue.values.map(String).join(', ')}`;
    }
    // Schema messages such as "name is required" already name the field.
    return issue.message.startsWith(`${field} `) ? issue.message : `${field}: ${issue.message}`;
  });
  return [...new Set(parts)].join('; ');
}
