import { z } from 'zod';

/** Field schemas every record shares: ids generated in the browser, intent labels, probabilities. */
export const uuidField = z.uuid({ message: 'must be a UUID' });
export const labelField = z.string().min(1).max(100).regex(/^[\w.?-]+$/, { message: 'must be an intent name' });
export const probabilityField = z.number().min(0).max(1);
