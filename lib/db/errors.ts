/**
 * Why the store refused a write, as the store sees it. What a client is told about each, and
 * with which status, is decided by the caller (lib/http/errors.ts `STORE_ERROR_ANSWERS`).
 */
export const STORE_ERROR_CODES = [
  /** Another message is stored at the turn's (conversation, seq) position. */
  'message_position_taken',
  /** A message of the turn is stored already, in another conversation. */
  'message_in_other_conversation',
  /** The prediction an explanation names is not stored. */
  'prediction_not_found',
] as const;

export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class StoreError extends Error {
  constructor(readonly code: StoreErrorCode) {
    super(`The store refused the write: ${code}.`);
    this.name = 'StoreError';
  }
}

type DriverError = { code?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } };

function isDriverError(error: unknown, prismaCode: string, driverKind: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, meta } = error as DriverError;
  return code === prismaCode || (code === 'P2010' && meta?.driverAdapterError?.cause?.kind === driverKind);
}

/** A unique key refused the insert, through the query API (P2002) or a raw statement. */
export function isUniqueViolation(error: unknown): boolean {
  return isDriverError(error, 'P2002', 'UniqueConstraintViolation');
}

/** The insert named a row that is not there, through the query API (P2003) or a raw statement. */
export function isForeignKeyViolation(error: unknown): boolean {
  return isDriverError(error, 'P2003', 'ForeignKeyConstraintViolation');
}
