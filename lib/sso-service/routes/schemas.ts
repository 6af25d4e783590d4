/**
 * Route schemas: each route declares its query string or body to Fastify (validated before the handler
 * runs, so handlers get typed values instead of casting `request.query`), and says which of the contract's
 * messages a violation answers with.
 */
import type { FastifySchemaValidationError } from 'fastify/types/schema';
import { badRequest, type ApiError } from '../http/api-error';

/** A JSON-schema object of string properties; `required` ones must be non-empty. */
export function stringFields<K extends string>(
  fields: Readonly<Record<K, { maxLength?: number }>>,
  required: readonly NoInfer<K>[],
) {
  const properties: Record<string, { type: 'string'; minLength?: number; maxLength?: number }> = {};
  const mandatory: readonly string[] = required;
  for (const [name, rules] of Object.entries(fields) as [string, { maxLength?: number }][]) {
    properties[name] = { type: 'string', ...(mandatory.includes(name) ? { minLength: 1 } : {}), ...rules };
  }
  return { type: 'object', properties, required: [...required] } as const;
}

/** A Fastify `schemaErrorFormatter`: the route's own message for the first violation, always a 400. */
export function answerWith(message: (error: FastifySchemaValidationError) => string) {
  return (errors: FastifySchemaValidationError[]): ApiError => {
    const first = errors[0];
    return badRequest(first ? message(first) : 'Bad request');
  };
}

/** The property a violation is about ("org", "state"), from the instance path or a missing-property error. */
export function fieldOf(error: FastifySchemaValidationError): string {
  const missing = (error.params as { missingProperty?: unknown }).missingProperty;
  if (typeof missing === 'string') return missing;
  return error.instancePath.replace(/^\//, '');
}
