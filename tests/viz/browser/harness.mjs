// tests/viz/browser/harness.mjs: what the browser tests share: checks that
// count, child processes that are stopped at the end, a scratch folder,
// and the exit code ctest reads.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
