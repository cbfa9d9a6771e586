// Builds dist/: index.html and assets/ (one JavaScript and one CSS file, named
// by content hash so the server may cache them for good, and the licenses of
// the bundled packages). `--watch` rebuilds on every change.

import * as esbuild from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, 'dist');
const watch = process.argv.includes('--watch');
// The packages bundled into app.js, whose licenses ask to travel with it.
const bundledPackages = ['uplot', 'ansi_up'];

const writeIndex = {
  name: 'write-index',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length > 0) return;
      const outputs = Object.keys(result.metafile.outputs).map((file) => path.basename(file));
      const js = outputs.find((file) => file.endsWith('.js'));
      const css = outputs.find((file) => file.endsWith('.css'));
      const template = await readFile(path.join(root, 'index.html'), 'utf8');
      await writeFile(path.join(dist, 'index.html'), template.replace('{{js}}', js).replace('{{css}}', css));
      const sizes = await Promise.all(Object.entries(result.metafile.outputs)
        .map(async ([file, output]) => `${path.basename(file)} ${(output.bytes / 1024).toFixed(1)} KiB`));
      console.log(`dist/index.html, assets: ${sizes.join(', ')}`);
    });
  },
};

async function writeLicenses() {
  const parts = await Promise.all(bundledPackages.map(async (name) => {
    const manifest = JSON.parse(await readFile(path.join(root, 'node_modules', name, 'package.json'), 'utf8'));
    const license = await readFile(path.join(root, 'node_modules', name, 'LICENSE'), 'utf8');
    return `${name} ${manifest.version}\n\n${license.trim()}\n`;
  }));
  await writeFile(path.join(dist, 'assets', 'licenses.txt'), parts.join('\n---\n\n'));
}

await rm(dist, { recursive: true, force: true });
await mkdir(path.join(dist, 'assets'), { recursive: true });
await writeLicenses();

const options = {
  entryPoints: { app: path.join(root, 'src/main.js') },
  bundle: true,
  format: 'esm',
  target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
  minify: !watch,
  sourcemap: watch ? 'inline' : false,
  outdir: path.join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  banner: { js: `/* medic UI. Bundles ${bundledPackages.join(', ')}: licenses in /assets/licenses.txt */` },
  logLevel: 'warning',
  plugins: [writeIndex],
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
  console.log('watching src/ …');
} else {
  await esbuild.build(options);
}
