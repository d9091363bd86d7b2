import { hash, verify } from '@node-rs/argon2';

/**
 * Admin passwords are stored as argon2id PHC strings (algorithm, parameters and salt in the
 * string), with OWASP's recommended minimum cost: 19 MiB, 2 iterations, 1 lane.
 */
const OPTIONS = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/** Spends the same time as a real check, so an unknown e-mail is not told apart by timing. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword('glassdesk-timing-equaliser');
  await verifyPassword(await dummy, password);
  return false;
}
