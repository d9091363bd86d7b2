import 'server-only';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { ApiError } from '@/lib/http/errors';

/** The record an admin page shows for the id in its URL; Next's 404 page for an id that is malformed or names nothing. */
export async function pageRecord<T>(id: string, load: (id: string) => Promise<T>): Promise<T> {
  if (!z.uuid().safeParse(id).success) notFound();
  try {
    return await load(id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) notFound();
    throw error;
  }
}
