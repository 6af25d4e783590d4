/** Row shapes as stored, parsed with zod so a schema drift fails loudly instead of leaking undefined. */
import { z } from 'zod';
import { modeSchema } from '@/lib/contract';

export const developerRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  mode: modeSchema,
  plan: z.string(),
  created_at: z.string(),
});
export type DeveloperRow = z.infer<typeof developerRowSchema>;

export const ssoConfigRowSchema = z.object({
  developer_id: z.string(),
  connection_id: z.string(),
  issuer_url: z.string(),
  client_id: z.string(),
  client_secret_enc: z.instanceof(Buffer),
  redirect_uri: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type SsoConfigRow = z.infer<typeof ssoConfigRowSchema>;

export const consumedStateRowSchema = z.object({
  outcome: z.enum(['pending', 'ok', 'failed']),
  error_status: z.number().int().nullable(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
});
export type ConsumedStateRow = z.infer<typeof consumedStateRowSchema>;
