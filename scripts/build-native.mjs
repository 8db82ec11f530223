#!/usr/bin/env node
// Builds native/packet-stats (the kernel drop counts of live capture, Linux only) with the node-gyp that npm bundles.
// It never fails the install: capture works without it, so on any failure it prints one line saying so and exits 0.
// Output stays in native/packet-stats/build. Run from `prepare`; `node scripts/build-native.mjs --verbose` shows
// node-gyp's output when a build fails and you want to know why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const addonDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'native', 'packet-stats');
const verbose = process.argv.includes('--verbose');

function giveUp(why) {
  console.log(`sipscope: packet-stats addon not built (${why}); live capture works without kernel drop counts.`);
  process.exit(0);
}

// The counters are read from Linux packet sockets; elsewhere there is nothing to build (binding.gyp has no target).
if (process.platform !== 'linux') process.exit(0);

/** node-gyp's entry point: the one npm runs scripts with, else the copy bundled with npm beside this Node. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  const npmDirs = [join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm'), '/usr/lib/node_modules/npm', '/usr/local/lib/node_modules/npm'];
  for (const dir of npmDirs) candidates.push(join(dir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // Not installed as a package here: the npm-bundled copies above are the usual place.
  }
  return candidates.find((path) => path && existsSync(path));
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) giveUp('node-gyp not found');

// Headers: without --nodedir node-gyp downloads them. Use a configured nodedir, else this Node's own installation
// when it ships them (Debian's nodejs puts them in /usr/include/node), so that an offline machine builds too.
const args = [nodeGyp, 'rebuild'];
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);

const run = spawnSync(process.execPath, args, { cwd: addonDir, encoding: 'utf8', stdio: verbose ? 'inherit' : 'pipe' });
if (run.error) giveUp(run.error.message);
if (run.status !== 0) {
  // The reason in one line: the compiler's first error, else node-gyp's own ("Could not find any Python installation").
  const lines = `${run.stderr ?? ''}\n${run.stdout ?? ''}`.split('\n').map((line) => line.trim());
  const compiler = lines.find((line) => /: (fatal )?error: /.test(line));
  const gyp = lines.find((line) => line.startsWith('gyp ERR! stack Error: '))?.slice('gyp ERR! stack Error: '.length);
  giveUp((compiler ?? gyp ?? `node-gyp exited with ${run.status ?? run.signal}`).slice(0, 200));
}
if (!existsSync(join(addonDir, 'build', 'Release', 'packet_stats.node'))) giveUp('node-gyp produced no packet_stats.node');
