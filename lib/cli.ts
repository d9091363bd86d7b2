/**
 * Runs a command-line entry point: exits with the code `main` resolves to, or prints the
 * error's message (not a stack: these are messages for the operator) and exits 1.
 */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
