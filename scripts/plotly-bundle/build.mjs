// Build the dashboard's plotly.js bundle: `npm ci && node build.mjs` in this folder.
// Output: layouts/assets/vendor/plotly/plotly-ioc.min.js, with plotly.js's licence header
// and the third-party licence comments (MapLibre, d3, ...) kept at the end.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';

const require = createRequire(import.meta.url);
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, '..', '..', 'layouts', 'assets', 'vendor', 'plotly');
const plotly = require('plotly.js/package.json');
const modules = join(here, 'node_modules');
const maplibre = JSON.parse(readFileSync(join(modules, 'maplibre-gl', 'package.json'), 'utf8'));

const banner = `/**
* plotly.js v${plotly.version}, partial bundle for ioc: scatter, bar, scattermap, choroplethmap
* (MapLibre GL JS v${maplibre.version} inside; sky pass skipped on flat maps, partial first frames held: entry.js)
* Copyright 2012-2026, Plotly, Inc.
* All rights reserved.
* Licensed under the MIT license
* Built from scripts/plotly-bundle (esbuild ${esbuild.version}); do not edit by hand.
*/`;

await esbuild.build({
    entryPoints: [join(here, 'entry.js')],
    outfile: join(outdir, 'plotly-ioc.min.js'),
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    sourcemap: false,
    legalComments: 'eof',
    banner: { js: banner },
    plugins: [InlineCSSPlugin()],
    alias: { stream: 'stream-browserify' },
    // the same definitions as plotly.js's own esbuild-config.js
    define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
    target: 'es2016',
    logLevel: 'info',
});

writeFileSync(join(outdir, 'LICENSE-plotly.js.txt'), readFileSync(require.resolve('plotly.js/LICENSE')));
writeFileSync(join(outdir, 'LICENSE-maplibre-gl.txt'), readFileSync(join(modules, 'maplibre-gl', 'LICENSE.txt')));
