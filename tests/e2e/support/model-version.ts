import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { root } from './next-server.mjs';

const shipped = new Map<string, string>();

/**
 * The model version this build ships for `bot`: the content hash of `public/models/<bot>/` as
 * the app computes it (lib/model/versions.ts `contentHash`, run by the app's own code in a
 * process of its own, since it is server-only). The bot serves it unless another version was
 * promoted; records posted by a spec name it as the chat names the version it loaded.
 */
export function shippedVersion(bot = 'banking77'): string {
  let version = shipped.get(bot);
  if (!version) {
    version = execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules/tsx/dist/cli.mjs'),
        '--conditions',
        'react-server',
        '--eval',
        `const { contentHash, bundledModelDir } = await import('./lib/model/versions.ts'); console.log(contentHash(bundledModelDir(${JSON.stringify(bot)})));`,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    )
      .toString()
      .trim();
    if (!/^[0-9a-f]{64}$/.test(version)) throw new Error(`not a model version: ${JSON.stringify(version)}`);
    shipped.set(bot, version);
  }
  return version;
}
