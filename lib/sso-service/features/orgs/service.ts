/** Orgs: signing up (a developer and its first API key). */
import type { SignupRequest, SignupResponse } from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { generateApiKey, hashApiKey } from '../../crypto/api-keys';
import { randomId } from '../../crypto/random-id';

export async function signUp(ctx: ServiceContext, input: SignupRequest): Promise<SignupResponse> {
  const { name, email, mode = 'live' } = input;
  const apiKey = generateApiKey(mode);
  const developerId = randomId('dev');
  const createdAt = new Date(ctx.now()).toISOString();
  // Always a new developer: an email is a contact detail, so signing up with a known one answers exactly like
  // a fresh one (no "already exists" that would tell anyone who has an account).
  await ctx.store.createDeveloper({
    id: developerId,
    name,
    email: email ?? null,
    mode,
    plan: 'free',
    createdAt,
    keyHash: hashApiKey(apiKey),
  });
  return { developerId, apiKey, name, email: email ?? null, mode, createdAt };
}
