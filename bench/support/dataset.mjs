import { existsSync } from 'node:fs';

/**
 * The Banking77 CSV a benchmark reads. It is not part of the repository: it is named by a flag
 * or BANKING77_CSV (the defaults point beside the checkout), and a missing file stops the
 * benchmark with one sentence instead of a stack.
 */
export function banking77Csv(file, how = '--data FILE or BANKING77_CSV=FILE') {
  if (!existsSync(file)) {
    console.error(`${file} does not exist: this benchmark reads Banking77's train.csv, which is not in the repository; name it with ${how}.`);
    process.exit(2);
  }
  return file;
}
