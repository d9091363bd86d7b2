'use client';

import { createContext, useContext } from 'react';
import { VisitorText } from '@/lib/ui/text';

/** Who reads the panel: a customer gets the plain view, an operator the technical details open and text controls shown. */
export type Reader = 'customer' | 'operator';

export const ReaderContext = createContext<Reader>('customer');

/** A visitor's words in the panel: isolated, and with bidirectional controls shown to an operator. */
export function PanelText({ text, className }: { text: string; className?: string }) {
  const reader = useContext(ReaderContext);
  return <VisitorText text={text} showControls={reader === 'operator'} className={className} />;
}
