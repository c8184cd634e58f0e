// tests/viz/browser/cluster.mjs: the cluster badge of the viewer page, in
// headless Chromium (issue 15).
// Usage: node cluster.mjs CITYTWIN CITY_FILE WEB_DIR ARTIFACT_DIR
// Starts two `citytwin serve --cluster` nodes of the demo city on
// 127.0.0.1, opens the page of one, and checks that the header shows the
// cluster healthy, then, after `kill -9` of the other node, degraded with
// that node down, as the server's /api/status says. A single server's page
// shows no badge. Saves cluster.png in ARTIFACT_DIR. Exit 77 (skipped,
// tests/skip.mjs) without chromium, playwright-core or a built page.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromiumOrSkip, createHarness } from './harness.mjs';

const [citytwin, cityFile, webDir, artifacts] = process.argv.slice(2);
const launchBrowser = chromiumOrSkip(webDir);

const { tmp, check, start, run } = createHarness('cluster');

// A free port on 127.0.0.1 (closed again before a node binds it).
const freePort = () => new Promise((ok, fail) => {
  const s = createServer();
  s.once('error', fail);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
});

async function main() {
  const [p1, p2] = [await freePort(), await freePort()];
  const clusterFile = join(tmp, 'cluster.yaml');
  writeFileSync(clusterFile, `version: 1
city: demo
shards: 2
nodes:
  - {name: north, host: 127.0.0.1, port: ${p1}}
  - {name: south, host: 127.0.0.1, port: ${p2}}
`);
  const serving = /serving http:\/\/127\.0\.0\.1:(\d+)/;
  const node = (name) => start(citytwin, ['serve', cityFile, '--host', '127.0.0.1', '--port', '0', '--no-feed',
    '--web-dir', webDir, '--cluster', clusterFile, '--node', name, '--cluster-wait', '30'], serving, 40000);
  const [north] = await Promise.all([node('north'), node('south')]);
  const single = await start(citytwin, ['serve', cityFile, '--host', '127.0.0.1', '--port', '0', '--no-feed',
    '--web-dir', webDir], serving, 30000);
  const base = `http://127.0.0.1:${north[1]}`;

  const browser = await launchBrowser();
  const errors = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/`);
    await page.waitForSelector('#cluster[data-degraded="false"]', { state: 'attached', timeout: 10000 });
    const healthy = await page.textContent('#cluster');
    check(healthy.includes('node north') && healthy.includes('1 other node up') && await page.isVisible('#cluster'),
      `the header shows the cluster healthy ("${healthy}")`);

    // kill -9 of the other node: the server sees it down, the page says so.
    execFileSync('pkill', ['-9', '-f', '--', `--cluster ${clusterFile} --node south`]);
    const seen = await page.waitForSelector('#cluster[data-degraded="true"]', { timeout: 10000 })
      .then(() => true, () => false);
    const degraded = await page.textContent('#cluster');
    const status = await (await fetch(`${base}/api/status`)).json();
    check(seen && degraded.includes('south down') && status.cluster.degraded === true,
      `after kill -9 of south the header says "${degraded}" (server: degraded ${status.cluster.degraded})`);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'cluster.png') });

    const alone = await browser.newPage();
    alone.on('pageerror', (e) => errors.push(String(e)));
    await alone.goto(`http://127.0.0.1:${single[1]}/`);
    await alone.waitForSelector('body[data-snapshot="done"]', { timeout: 20000 });
    await alone.waitForTimeout(2500); // a poll of /api/status has come back
    check(await alone.isHidden('#cluster'), 'a single server\'s page shows no cluster badge');
    check(errors.length === 0, `no page errors (${errors.join('; ')})`);
  } finally {
    await browser.close();
  }
}

run(main);
