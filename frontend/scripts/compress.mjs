// Pre-compress the build (gzip -9) so the API serves `.gz` files to phones that accept them:
// the first load on a slow connection is about a third of the bytes. Also prints the first-load size.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const dist = new URL("../dist/", import.meta.url).pathname;
const compressible = /\.(js|css|html|svg|webmanifest|json)$/;

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

for (const file of walk(dist)) {
  if (!compressible.test(file)) continue;
  const raw = readFileSync(file);
  if (raw.length < 1024) continue;
  writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }));
}

// What a phone downloads on its first visit: index.html and the JS/CSS it references directly.
const html = readFileSync(join(dist, "index.html"), "utf8");
const first = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
let total = 0;
for (const file of first) {
  const size = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  total += size;
  console.log(`first load: ${relative(dist, join(dist, file))} ${(size / 1024).toFixed(1)} KB gzipped`);
}
console.log(`first load total (JS+CSS, gzipped): ${(total / 1024).toFixed(1)} KB (budget 60 KB)`);
if (total > 60 * 1024) {
  console.error("First load is over the 60 KB budget");
  process.exit(1);
}
