import type { MeResponse } from '@/lib/contract';
import type { Developer } from '../../storage/types';

export function toWireMe(dev: Developer): MeResponse {
  return {
    developerId: dev.id,
    name: dev.name,
    email: dev.email,
    mode: dev.mode,
    plan: dev.plan,
    createdAt: dev.createdAt,
  };
}
