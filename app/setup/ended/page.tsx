import type { Metadata } from 'next';
import { SETUP_LINK_TEXT } from '@/lib/console/messages';
import { SetupNotice } from '../setup-notice';

export const metadata: Metadata = { title: SETUP_LINK_TEXT.ended.title };

export default function SetupEndedPage() {
  return <SetupNotice kind="ended" />;
}
