/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL (default: the SQLite file). */
import { getConfig } from '../lib/config';
import { migrateDatabase } from '../lib/db/migrate';

try {
  const report = await migrateDatabase(getConfig().DATABASE_URL);
  console.log(
    report.applied.length > 0
      ? `${report.provider}: applied ${report.applied.join(', ')}`
      : `${report.provider}: already up to date`,
  );
} catch (error) {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
