import { createHash } from 'node:crypto';
import { migrationsDir, readMigrations } from './migrations';
import { createAdapterFactory, providerOf } from './provider';

/**
 * The committed migrations a database has not applied, by name and by Prisma's checksum (the
 * SHA-256 of `migration.sql`), read with an ordinary connection.
 */
export async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const { migrationDirectories } = await readMigrations(migrationsDir(providerOf(databaseUrl)));
  const applied = await appliedMigrations(databaseUrl);
  return migrationDirectories
    .filter(({ path, migrationFile: { content } }) => content.tag !== 'ok' || applied.get(path) !== sha256(content.value))
    .map(({ path }) => path);
}

async function appliedMigrations(databaseUrl: string): Promise<Map<string, string>> {
  const adapter = await createAdapterFactory(databaseUrl).connect();
  try {
    const { rows } = await adapter.queryRaw({
      sql: 'SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      args: [],
      argTypes: [],
    });
    return new Map(rows.map(([name, checksum]) => [String(name), String(checksum)]));
  } catch (error) {
    // A new database has no migrations table yet: everything is pending.
    const kind = (error as { cause?: { kind?: string } }).cause?.kind;
    if (kind === 'TableDoesNotExist' || /no such table|does not exist/i.test(String(error))) return new Map();
    throw error;
  } finally {
    await adapter.dispose();
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
