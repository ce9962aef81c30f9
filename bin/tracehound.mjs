#!/usr/bin/env node
// Entry point for `npx tracehound`: runs the compiled CLI (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/electron/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('tracehound: not built yet: run `npm run build` in the checkout first\n');
  process.exit(1);
}
// A reader that stops early (`tracehound packets X | head`) is not an error: exit quietly.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
