// Runs once when a server instance starts: configuration is checked first, so a bad value
// stops the server with a clear message, then the database is brought up to date.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // Before any request: per-client limits need the socket's address (lib/http/client-address.ts).
  const { recordPeerAddresses } = await import('@/lib/http/client-address');
  recordPeerAddresses();
  const { getConfig } = await import('@/lib/config');
  const config = getConfig();
  if (config.AUTO_MIGRATE) {
    const { migrateDatabase } = await import('@/lib/db/migrate');
    const report = await migrateDatabase(config.DATABASE_URL);
    if (report.applied.length > 0) {
      console.log(`Database (${report.provider}): applied ${report.applied.join(', ')}`);
    }
  }
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    // The first admin from the environment, created once; an existing account is left as it is.
    const { createAdminUser } = await import('@/lib/auth/admins');
    const { created } = await createAdminUser(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
    if (created) console.log(`Admin ${config.ADMIN_EMAIL} created from ADMIN_EMAIL.`);
  }
}
