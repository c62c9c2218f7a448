// Bundles the npm `neuroglancer` package (ES modules) into the static client `braid view`
// serves: dist/neuroglancer/{index.html, hashed js/css/wasm, THIRD-PARTY-NOTICES.txt}.
// Only registry packages are used (rspack, neuroglancer and its dependencies), at build
// time; nothing is fetched at run time. Skipped when the stamp says the inputs are unchanged
// (`--force` rebuilds).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { rspack } from "@rspack/core";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "dist/neuroglancer");
const entry = join(root, "viewer/entry.js");
const require = createRequire(import.meta.url);
const packageRoot = (name, from = root) => {
  try {
    return dirname(realpathSync(require.resolve(`${name}/package.json`, { paths: [from] })));
  } catch {
    // neuroglancer exports no ./package.json: find it above its main module.
    let dir = dirname(realpathSync(require.resolve(name, { paths: [from] })));
    while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
    return dir;
  }
};
const neuroglancer = packageRoot("neuroglancer");
const version = (dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;

// What is compiled in: braid writes precomputed and zarr v3 / OME-Zarr, served over http from
// one origin. Every other data source, key-value store and layer type is left out.
const CONDITIONS = [
  "neuroglancer/datasource:none_by_default",
  "neuroglancer/datasource/precomputed:enabled",
  "neuroglancer/datasource/zarr:enabled",
  "neuroglancer/kvstore:none_by_default",
  "neuroglancer/kvstore/http:enabled",
  "neuroglancer/layer:none_by_default",
  "neuroglancer/layer/segmentation:enabled",
  "neuroglancer/layer/image:enabled",
  "browser",
  "import",
  "module",
  "default",
];

// neuroglancer depends on a GitHub fork of ikonate; package.json overrides it with the npm
// release, which lacks three of the icons it imports. These stand in for them.
const ikonate = join(packageRoot("ikonate", neuroglancer), "icons");
const MISSING_ICONS = { "code-alt": "edit", "controls-alt": "controls", layers: "stack" };

const stamp = JSON.stringify({
  neuroglancer: version(neuroglancer),
  rspack: rspack.rspackVersion,
  inputs: createHash("sha256").update(readFileSync(fileURLToPath(import.meta.url))).update(readFileSync(entry)).digest("hex"),
});
const stampFile = join(out, ".build-stamp");
if (!process.argv.includes("--force") && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) {
  console.log(`viewer: dist/neuroglancer is up to date (neuroglancer ${version(neuroglancer)})`);
  process.exit(0);
}

const config = {
  mode: "production",
  context: root,
  entry: { main: entry },
  target: "web",
  devtool: false,
  performance: { hints: false },
  output: {
    path: out,
    publicPath: "auto",
    filename: "[name].[contenthash:8].js",
    chunkFilename: "[name].[contenthash:8].js",
    assetModuleFilename: "[name].[contenthash:8][ext]",
    cssFilename: "[name].[contenthash:8].css",
    clean: true,
  },
  resolve: {
    conditionNames: CONDITIONS,
    alias: Object.fromEntries(Object.entries(MISSING_ICONS).map(([from, to]) => [`ikonate/icons/${from}.svg`, join(ikonate, `${to}.svg`)])),
  },
  module: {
    rules: [
      { test: /\.css$/, type: "css" },
      // Icons are imported as `.svg?raw` strings.
      { resourceQuery: /raw/, type: "asset/source" },
    ],
  },
};

const started = performance.now();
const stats = await new Promise((resolve, reject) => rspack(config, (e, s) => (e ? reject(e) : resolve(s))));
const json = stats.toJson({ all: false, errors: true, warnings: true, assets: true, entrypoints: true });
if (stats.hasErrors()) {
  for (const e of json.errors) console.error(e.message);
  process.exit(1);
}

const entryFiles = json.entrypoints.main.assets.map((a) => a.name);
const html = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>braid view — neuroglancer</title>
<link rel="icon" href="data:,">
${entryFiles.filter((f) => f.endsWith(".css")).map((f) => `<link rel="stylesheet" href="${f}">`).join("\n")}
${entryFiles.filter((f) => f.endsWith(".js")).map((f) => `<script defer src="${f}"></script>`).join("\n")}
</head>
<body></body>
</html>
`;
writeFileSync(join(out, "index.html"), html);

// Apache-2.0 (neuroglancer) and MIT-style licenses ask for their notices to travel with the code.
const bundled = new Map();
for (const file of stats.compilation.fileDependencies) {
  const at = file.lastIndexOf(`${sep}node_modules${sep}`);
  if (at < 0) continue;
  const rest = file.slice(at + 14).split(sep);
  const dir = file.slice(0, at + 14) + rest.slice(0, rest[0].startsWith("@") ? 2 : 1).join(sep);
  if (!existsSync(join(dir, "package.json"))) continue;
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  bundled.set(`${pkg.name}@${pkg.version}`, { dir, pkg });
}
const notices = [...bundled.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([, { dir, pkg }]) => {
    const file = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license", "LICENCE"].map((f) => join(dir, f)).find(existsSync);
    return `${pkg.name} ${pkg.version} (${pkg.license ?? "see below"})\n\n${file ? readFileSync(file, "utf8").trim() : "(no license file in the package)"}\n`;
  });
writeFileSync(join(out, "THIRD-PARTY-NOTICES.txt"), `The neuroglancer client in this directory bundles these packages.\n\n${notices.join("\n" + "-".repeat(72) + "\n\n")}`);
writeFileSync(stampFile, stamp);

const bytes = json.assets.reduce((n, a) => n + a.size, 0);
console.log(
  `viewer: neuroglancer ${version(neuroglancer)} → ${relative(root, out)}: ${json.assets.length} files, ` +
    `${(bytes / 2 ** 20).toFixed(1)} MiB, ${bundled.size} packages, ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
