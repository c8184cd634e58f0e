// tests/viz/browser/harness.mjs: what the browser tests share: checks that
// count, child processes that are stopped at the end, a scratch folder,
// and the exit code ctest reads.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { skip } from '../../skip.mjs';

const CHROMIUM = '/usr/bin/chromium';

// Skips the test (exit 77, tests/skip.mjs) unless Debian's chromium, the
// built page in `webDir` and playwright-core beside it are there; returns
// a function that launches headless Chromium (no downloads, no sandbox,
// nothing that calls home).
export function chromiumOrSkip(webDir) {
  if (!existsSync(CHROMIUM)) skip(`${CHROMIUM} is missing (apt-get install chromium, see .ci/setup)`);
  if (!existsSync(join(webDir, 'index.html'))) skip(`no built page in ${webDir} (run .ci/setup)`);
  const require = createRequire(resolve(webDir, '..', 'package.json'));
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    skip(`playwright-core is not installed in ${resolve(webDir, '..', 'node_modules')} (run .ci/setup)`);
  }
  return () => chromium.launch({
    executablePath: CHROMIUM,
    headless: true, // playwright passes --headless and a fresh --user-data-dir itself
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

export function createHarness(name) {
  const children = [];
  const tmp = mkdtempSync(join(tmpdir(), `citytwin-${name}-`));
  let passed = 0;
  let failed = 0;

  function check(ok, what) {
    if (ok) { passed++; console.log(`ok: ${what}`); } else { failed++; console.log(`FAIL: ${what}`); }
  }

  function cleanup() {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  }

  // Starts a child and resolves with the match of `readyPattern` in its
  // output; rejects if it exits first or says nothing within timeoutMs.
  function start(cmd, args, readyPattern, timeoutMs) {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${cmd} not ready in ${timeoutMs} ms:\n${out}`)), timeoutMs);
      const onData = (d) => {
        out += d;
        const m = out.match(readyPattern);
        if (m) { clearTimeout(timer); resolve(m); }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${cmd} exited ${code}:\n${out}`)); });
    });
  }

  // Runs the test's main and exits: 0 when every check passed (and there
  // was one), 1 otherwise; always stops the children first.
  function run(main) {
    main().then(() => {
      cleanup();
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(failed === 0 && passed > 0 ? 0 : 1);
    }, (e) => {
      cleanup();
      console.log(`FAIL: ${e.stack || e}`);
      console.log(`${passed} passed, ${failed + 1} failed`);
      process.exit(1);
    });
  }

  return { tmp, check, start, run };
}
