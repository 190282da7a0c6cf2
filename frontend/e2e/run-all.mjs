// Runs every journey in this folder (or those named on the command line) one after another.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const skip = new Set(['lib.mjs', 'run-all.mjs', 'mock-server.mjs']);
const wanted = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && !skip.has(f))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
let failed = 0;
for (const script of scripts) {
  const result = spawnSync(process.execPath, [join(here, script)], { stdio: 'inherit', env: process.env });
  if (result.status !== 0) failed += 1;
}
console.log(`${scripts.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
