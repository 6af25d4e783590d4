/** A reason key of the statistics in words: the reason's title, or the chart's "unknown" and "other" keys. */
import { UNKNOWN_REASON } from '@/lib/contract/stats';
import { describeSignInReason, OVERVIEW_TEXT } from '@/lib/console/messages';
import { OTHER_REASONS } from '@/lib/console/overview';

export function reasonLabel(reason: string): string {
  if (reason === UNKNOWN_REASON) return OVERVIEW_TEXT.unknownReason;
  if (reason === OTHER_REASONS) return OVERVIEW_TEXT.otherReasons;
  return describeSignInReason(reason)?.title ?? reason;
}
