#!/usr/bin/env node
// Generates the Prisma clients for SQLite and PostgreSQL without the network.
//
// `prisma generate` insists on downloading the native schema engine before it does
// anything, although generating a client never runs it. This script runs the very same
// generator (`prisma-client`, from @prisma/client-generator-ts) on the DMMF computed by
// Prisma's WebAssembly schema parser, so nothing is downloaded. Migrations are applied by
// lib/db/migrate.ts through Prisma's WebAssembly schema engine, also offline.
//
// prisma/schema.prisma (SQLite) is the source of truth; prisma/postgres/schema.prisma is
// derived from it here so the two can never drift apart.
import { readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The CommonJS builds: these packages' ESM builds use extension-less imports Node rejects.
const internals = require('@prisma/internals');
const { PrismaClientTsGenerator } = require('@prisma/client-generator-ts');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sqliteSchemaPath = path.join(root, 'prisma/schema.prisma');
const postgresSchemaPath = path.join(root, 'prisma/postgres/schema.prisma');

export function derivePostgresSchema(sqliteSchema) {
  const replaced = sqliteSchema
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace('output       = "../lib/generated/sqlite"', 'output       = "../../lib/generated/postgres"');
  if (replaced === sqliteSchema || !replaced.includes('postgresql') || !replaced.includes('generated/postgres')) {
    throw new Error('prisma/schema.prisma must keep `provider = "sqlite"` and its output "../lib/generated/sqlite".');
  }
  const header =
    '// GENERATED from prisma/schema.prisma by `npm run db:generate`: edit that file, not this one.\n';
  return header + replaced.replace(/^\/\/ glassdesk data model[\s\S]*?\n\n/, '');
}

async function generateClient(schemaPath) {
  const datamodel = await readFile(schemaPath, 'utf8');
  const schemaFiles = [[schemaPath, datamodel]];
  const config = await internals.getConfig({ datamodel: schemaFiles });
  const dmmf = await internals.getDMMF({ datamodel: schemaFiles });
  const generator = config.generators.find((g) => g.provider.value === 'prisma-client');
  if (!generator) throw new Error(`${schemaPath} has no "prisma-client" generator.`);
  // Relative outputs are relative to the schema file, as with the Prisma CLI.
  const outputDir = path.resolve(path.dirname(schemaPath), generator.output.value);
  generator.output.value = outputDir;
  await rm(outputDir, { recursive: true, force: true });
  await mkdir(outputDir, { recursive: true });
  await new PrismaClientTsGenerator().generate({
    generator,
    otherGenerators: [],
    schemaPath,
    dmmf,
    datasources: config.datasources,
    datamodel,
    version: require('@prisma/engines-version/package.json').prisma.enginesVersion,
  });
  return path.relative(root, outputDir);
}

async function main() {
  const sqliteSchema = await readFile(sqliteSchemaPath, 'utf8');
  await mkdir(path.dirname(postgresSchemaPath), { recursive: true });
  await writeFile(postgresSchemaPath, derivePostgresSchema(sqliteSchema));
  for (const schemaPath of [sqliteSchemaPath, postgresSchemaPath]) {
    const out = await generateClient(schemaPath);
    console.log(`Generated Prisma client (${path.relative(root, schemaPath)}) in ${out}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`Prisma client generation failed: ${error.message}`);
    process.exit(1);
  });
}
