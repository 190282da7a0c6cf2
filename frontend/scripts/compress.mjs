// Writes a Brotli (.br) and a gzip (.gz) copy beside every compressible file of dist/assets, once per
// build; the Flask app (telehealth/web.py) sends the copy the browser accepts. The viewer's JavaScript
// is about 4 MB as built and about 1 MB compressed, which is what a patient's phone has to download.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = /\.(js|mjs|css|wasm|svg|json|map|txt)$/;
const MIN_BYTES = 1024;

export function compressDir(dir) {
  let before = 0;
  let after = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      const sub = compressDir(path);
      before += sub.before;
      after += sub.after;
      continue;
    }
    if (!COMPRESSIBLE.test(name)) continue;
    const body = readFileSync(path);
    if (body.length < MIN_BYTES) continue;
    const br = brotliCompressSync(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    });
    writeFileSync(`${path}.br`, br);
    writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
    before += body.length;
    after += br.length;
  }
  return { before, after };
}

const dir = process.argv[2] ?? 'dist/assets';
const { before, after } = compressDir(dir);
console.log(`compressed ${dir}: ${(before / 1e6).toFixed(1)} MB -> ${(after / 1e6).toFixed(1)} MB (brotli)`);
