// Bundles the widget loader, the widget, the one-tap device page and the console, and prints their gzipped sizes.
import { build } from "esbuild";
import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outIndex = process.argv.indexOf("--out");
const out = resolve(outIndex > 0 ? process.argv[outIndex + 1] : join(here, "dist"));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const bundles = {
  "livehelp.js": "widget/loader.ts",
  "livehelp-widget.js": "widget/widget.ts",
  "mayday.js": "widget/mayday-page.ts",
  "console.js": "console/main.ts",
};

await build({
  entryPoints: Object.fromEntries(Object.entries(bundles).map(([name, entry]) => [name.replace(/\.js$/, ""), join(here, entry)])),
  outdir: out,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
});
cpSync(join(here, "public"), out, { recursive: true });

const kb = (n) => (n / 1024).toFixed(1) + " KB";
for (const name of Object.keys(bundles)) {
  const bytes = readFileSync(join(out, name));
  console.log(`${name.padEnd(20)} ${kb(bytes.length).padStart(9)}  gzipped ${kb(gzipSync(bytes, { level: 9 }).length).padStart(8)}`);
}
