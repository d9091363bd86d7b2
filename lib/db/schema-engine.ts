import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

/**
 * Prisma's schema engine compiled to WebAssembly, driven through our driver adapter.
 * The Prisma CLI would download a native engine first; this one ships in an npm package,
 * so migrations apply with no network at all, and write Prisma's own `_prisma_migrations`
 * table, so `prisma migrate deploy` stays usable wherever the native engine exists.
 */
type SchemaEngineClass = { new: typeof SchemaEngine.new };

let engineClass: Promise<SchemaEngineClass> | undefined;

async function loadEngineClass(): Promise<SchemaEngineClass> {
  // Resolved from the project root: bundlers must not rewrite this path.
  const require = createRequire(path.join(/*turbopackIgnore: true*/ process.cwd(), 'package.json'));
  const bindingsPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const bindings = (await import(/* webpackIgnore: true */ bindingsPath)) as Record<string, unknown> & {
    __wbg_set_wasm(exports: WebAssembly.Exports): void;
    SchemaEngine: SchemaEngineClass;
  };
  const bytes = await readFile(path.join(path.dirname(bindingsPath), 'schema_engine_bg.wasm'));
  const compiled = await WebAssembly.compile(bytes);
  const instance = await WebAssembly.instantiate(compiled, { './schema_engine_bg.js': bindings as WebAssembly.ModuleImports });
  bindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return bindings.SchemaEngine;
}

export type OpenSchemaEngine = { engine: SchemaEngine; close(): Promise<void> };

/**
 * Opens the engine on the database the adapter factory connects to. `close()` frees the
 * engine and disposes every connection it opened: freeing the engine alone leaves them
 * open, and an open SQLite connection keeps the file locked.
 */
export async function openSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schemaFiles?: [string, string][],
  log: (line: string) => void = () => {},
): Promise<OpenSchemaEngine> {
  engineClass ??= loadEngineClass();
  const Engine = await engineClass;
  const opened: SqlDriverAdapter[] = [];
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => track(await adapterFactory.connect()),
    connectToShadowDb: async () => track(await adapterFactory.connectToShadowDb()),
  };
  function track(adapter: SqlDriverAdapter) {
    opened.push(adapter);
    return adapter;
  }
  const engine = await Engine.new({ datamodels: schemaFiles }, log, bindMigrationAwareSqlAdapterFactory(tracked));
  return {
    engine,
    async close() {
      engine.free();
      await Promise.all(opened.map((adapter) => adapter.dispose()));
    },
  };
}
