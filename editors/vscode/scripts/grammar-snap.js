// Snapshot tests of the TextMate grammar over every spec in ../../specs/ (listed when the
// script runs, so a new spec is picked up at once). The committed snapshots live in
// test/snapshots/<spec>.nas.snap; vscode-tmgrammar-snap wants each snapshot beside its
// source, so both are copied into a scratch folder and the tool runs there.
//   node scripts/grammar-snap.js            fail when a snapshot is stale or missing
//   node scripts/grammar-snap.js --update   rewrite the snapshots (npm run snap:update)
//   --specs DIR --snapshots DIR             other folders (the tests use scratch copies)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const HERE = path.resolve(__dirname, '..');

/** The value after `--name` on the command line, or the default. */
function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? path.resolve(process.argv[i + 1]) : fallback;
}

const SPECS = option('specs', path.resolve(HERE, '..', '..', 'specs'));
const SNAPS = option('snapshots', path.join(HERE, 'test', 'snapshots'));
const TOOL = path.join(path.dirname(require.resolve('vscode-tmgrammar-test/package.json')),
  'dist', 'snapshot.js');
const UPDATE_HINT = 'cd editors/vscode && npm run snap:update';

function main() {
  const update = process.argv.includes('--update');
  const specs = fs.readdirSync(SPECS).filter((f) => f.endsWith('.nas')).sort();
  if (specs.length === 0) {
    console.error(`no .nas files in ${SPECS}`);
    return 1;
  }
  fs.mkdirSync(SNAPS, { recursive: true });
  const snaps = fs.readdirSync(SNAPS).filter((f) => f.endsWith('.nas.snap'));
  const missing = specs.filter((s) => !snaps.includes(`${s}.snap`));
  const orphans = snaps.filter((s) => !specs.includes(s.slice(0, -'.snap'.length)));

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-snap-'));
  try {
    const run = update ? specs : specs.filter((s) => !missing.includes(s));
    for (const spec of run) {
      fs.copyFileSync(path.join(SPECS, spec), path.join(scratch, spec));
      if (!missing.includes(spec)) {
        fs.copyFileSync(path.join(SNAPS, `${spec}.snap`), path.join(scratch, `${spec}.snap`));
      }
    }
    let status = 0;
    if (run.length > 0) {
      const args = [TOOL, '--config', path.join(HERE, 'package.json'),
        ...(update ? ['--updateSnapshot'] : []),
        ...run.map((s) => path.join(scratch, s).split(path.sep).join('/'))];
      const proc = spawnSync(process.execPath, args, { cwd: HERE, stdio: 'inherit' });
      status = proc.status === 0 ? 0 : 1;
    }
    if (update) {
      for (const spec of specs) {
        fs.copyFileSync(path.join(scratch, `${spec}.snap`), path.join(SNAPS, `${spec}.snap`));
      }
      for (const orphan of orphans) {
        fs.unlinkSync(path.join(SNAPS, orphan));
        console.log(`removed ${orphan} (its spec is gone)`);
      }
      console.log(`${specs.length} snapshots in ${path.relative(process.cwd(), SNAPS) || '.'}`);
      return status;
    }
    for (const spec of missing) {
      console.error(`no snapshot for specs/${spec}`);
    }
    for (const orphan of orphans) {
      console.error(`snapshot ${orphan} has no spec in specs/`);
    }
    if (status !== 0 || missing.length > 0 || orphans.length > 0) {
      console.error(`grammar snapshots are stale: check the diff above, then run: ${UPDATE_HINT}`);
      return 1;
    }
    console.log(`${run.length} grammar snapshots match specs/`);
    return 0;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

process.exit(main());
