// tests/viz/browser/viewer.mjs: the viewer page in headless Chromium.
// Usage: node viewer.mjs CITYTWIN CITY_FILE WEB_DIR ARTIFACT_DIR
// Starts mosquitto and `citytwin serve --no-feed --mqtt`, opens the page,
// and checks: the demo city's segments are drawn, a reading published to
// the twin changes the page within a second, toggling a layer hides it.
// Then `serve --access data/access/demo.yaml`: an anonymous page shows
// open data only, `/?token=<secret>` shows what the token may read, and a
// bad token is refused with its reason on the page.
// Saves viewer.png in ARTIFACT_DIR. Exit 77 (skipped, tests/skip.mjs)
// without chromium, mosquitto, playwright-core or a built page.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { skip } from '../../skip.mjs';
import { chromiumOrSkip, createHarness } from './harness.mjs';

const [citytwin, cityFile, webDir, artifacts] = process.argv.slice(2);
// The demo city's rules: alerts and advice on the page come from them.
const rulesFile = join(dirname(cityFile), 'rules', 'demo.yaml');
const launchBrowser = chromiumOrSkip(webDir);
for (const tool of ['mosquitto', 'mosquitto_pub'])
  try { execFileSync('sh', ['-c', `command -v ${tool}`]); } catch { skip(`${tool} is not on PATH (apt-get install mosquitto mosquitto-clients)`); }

const { tmp, check, start, run } = createHarness('viewer');

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

async function main() {
  const mqttPort = await freePort();
  const conf = join(tmp, 'mosquitto.conf');
  // No per-message log: mosquitto's stdout is a pipe this script reads only
  // while its event loop runs, not during execFileSync. At dusk the demo
  // rules switch all 5,000 lamps at once; with `log_type all` the 10,000
  // log lines filled the pipe, mosquitto blocked writing them and the
  // next mosquitto_pub failed ("Unknown error") or hung.
  writeFileSync(conf, `listener ${mqttPort} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\n`);
  await start('mosquitto', ['-c', conf], /running|Opening ipv4 listen socket/, 10000);
  const served = await start(citytwin, ['serve', cityFile, '--host', '127.0.0.1', '--port', '0', '--no-feed',
    '--mqtt', `mqtt://127.0.0.1:${mqttPort}`, '--web-dir', webDir, '--rules', rulesFile,
    '--archive', join(tmp, 'archive')],
  /serving http:\/\/127\.0\.0\.1:(\d+)/, 30000);
  const base = `http://127.0.0.1:${served[1]}`;

  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    const external = [];
    page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('ws://127.0.0.1') && !r.url().startsWith('data:')) external.push(r.url()); });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-snapshot="done"]', { timeout: 20000 });
    await page.waitForTimeout(300); // one animation frame or two

    const layoutSegments = await page.evaluate(() => [...window.citytwin.model.entities.values()].filter((e) => e.kind === 'road_segment' && e.path).length);
    const status = await (await fetch(`${base}/api/status`)).json();
    check(layoutSegments === status.entities_by_kind.road_segment && layoutSegments > 0,
      `page draws all ${status.entities_by_kind.road_segment} road segments (drew ${layoutSegments})`);
    check(await page.evaluate(() => window.citytwin.layerPixels('roads')) > 1000, 'road canvas has painted pixels');
    check((await page.textContent('#city')) === status.city, 'header names the city');

    // Select segment 0 by clicking it (with the lamps, bins and sensors
    // beside it switched off, as clicks pick points before roads), then
    // publish a reading for it.
    const points = ['intersections', 'lamps', 'bins', 'sensors'];
    for (const name of points) await page.click(`#toggle-${name}`);
    const urn = 'urn:ngsi-ld:RoadSegment:demo:000000';
    const at = await page.evaluate((u) => window.citytwin.screenPoint(u), urn);
    await page.mouse.click(at.x, at.y);
    for (const name of points) await page.click(`#toggle-${name}`);
    await page.waitForSelector('#details .ent-id', { timeout: 2000 });
    check((await page.textContent('#details .ent-id')) === urn, 'clicking a segment shows its state');
    const colorBefore = await page.evaluate((u) => window.citytwin.colorOf(u), urn);
    const sent = Date.now();
    execFileSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(mqttPort), '-q', '1', '-t', 'city/demo/traffic/seg0',
      '-m', JSON.stringify({ id: urn, type: 'RoadSegment', mean_speed: 3, vehicle_flow: 1200 })]);
    let changedAfter = -1;
    try {
      await page.waitForFunction(() => {
        const td = document.querySelector('#details tr[data-attr="mean_speed"] td');
        return td && td.textContent === '3';
      }, null, { timeout: 3000, polling: 20 });
      changedAfter = Date.now() - sent;
    } catch { /* reported below */ }
    check(changedAfter >= 0 && changedAfter < 1000, `a published reading shows on the page within 1 s (${changedAfter} ms)`);
    const colorAfter = await page.evaluate((u) => window.citytwin.colorOf(u), urn);
    check(colorBefore !== colorAfter && colorAfter === '#e74c3c', `the segment turns red for 3 km/h (${colorBefore} -> ${colorAfter})`);
    check(await page.evaluate(() => window.citytwin.model.entities.get('urn:ngsi-ld:RoadSegment:demo:000000').history.t.length) >= 2,
      'the entity keeps its values since page load for the plot');
    check(await page.$('#plot canvas') !== null, 'the details panel plots the selected value');
    // The plot reads the server's archive: readings on their own time axis,
    // there when the entity is selected again, not only since page load.
    // (Still jammed speeds: the rule's alert below must stand.)
    const t0 = Date.now();
    // The last value differs from the 3 shown now, so the page can tell
    // when the last of them arrived.
    const speeds = [2, 3, 1];
    for (let i = 1; i <= 3; i++)
      execFileSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(mqttPort), '-q', '1', '-t', 'city/demo/traffic/seg0',
        '-m', JSON.stringify({ id: urn, type: 'RoadSegment',
          mean_speed: { type: 'Property', value: speeds[i - 1], observedAt: new Date(t0 + i * 1000).toISOString() } })]);
    await page.waitForFunction(() => {
      const td = document.querySelector('#details tr[data-attr="mean_speed"] td');
      return td && td.textContent === '1';
    }, null, { timeout: 3000, polling: 20 }).catch(() => {});
    // The archive takes them a moment after the twin applied them: the
    // page asks again on each selection (bounded).
    let archived = false;
    for (let attempt = 0; attempt < 10 && !archived; attempt++) {
      await page.evaluate(() => window.citytwin.select(null));
      await page.evaluate((u) => window.citytwin.select(u), urn);
      await page.evaluate(() => { const td = document.querySelector('#details tr[data-attr="mean_speed"]'); if (td) td.click(); });
      archived = await page.waitForFunction(() => window.citytwin.plotPoints() >= 4, null, { timeout: 500, polling: 50 })
        .then(() => true, () => false);
    }
    const span = await page.evaluate(() => window.citytwin.plotSpan());
    check(archived && span >= 3 && span < 3600,
      `the plot shows the archived readings on their own times (${await page.evaluate(() => window.citytwin.plotPoints())} points over ${span.toFixed(1)} s)`);
    // The server's rule (data/rules/demo.yaml, jammed-road) raised the
    // alert and its advice; the page only shows them.
    const shown = async (sel, text) => {
      try {
        await page.waitForFunction(([s, t]) => document.querySelector(s).textContent.includes(t), [sel, text], { timeout: 3000 });
        return true;
      } catch { return false; }
    };
    check(await shown('#alerts', 'road jammed'), 'the server\'s jam alert appears in the alerts panel');
    check(await shown('#actions', 'signal timing'), 'the rule\'s recommended action follows the jam');
    check((await page.textContent('#alerts')).includes('jammed-road'), 'the alert names the rule that raised it');

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'viewer.png') });

    const lampsBefore = await page.evaluate(() => window.citytwin.layerPixels('lamps'));
    await page.click('#toggle-lamps');
    await page.waitForTimeout(300);
    const lampsAfter = await page.evaluate(() => window.citytwin.layerPixels('lamps'));
    check(lampsBefore > 0 && lampsAfter === 0, `unticking "Street lamps" hides them (${lampsBefore} -> ${lampsAfter} pixels)`);
    check(await page.evaluate(() => window.citytwin.layerPixels('roads')) > 1000, 'the roads stay visible');
    await page.click('#toggle-lamps');
    await page.waitForTimeout(300);
    check(await page.evaluate(() => window.citytwin.layerPixels('lamps')) > 0, 'ticking it again shows them');

    await page.screenshot({ path: join(artifacts, 'viewer-no-lamps-toggled-back.png') });
    check(external.length === 0, `no requests leave citytwin (${external.join(', ')})`);
    check(errors.length === 0, `no page errors (${errors.join('; ')})`);
    await checkAccess(browser, status.entities_by_kind);
  } finally {
    await browser.close();
  }
}

// The page on a server with tenants and tokens (data/access/demo.yaml).
async function checkAccess(browser, counts) {
  const served = await start(citytwin, ['serve', cityFile, '--host', '127.0.0.1', '--port', '0', '--no-feed',
    '--access', join(dirname(cityFile), 'access', 'demo.yaml'), '--api-port', '0', '--web-dir', webDir,
    '--rules', rulesFile],
  /NGSI-LD API on http:\/\/127\.0\.0\.1:(\d+)[\s\S]*serving http:\/\/127\.0\.0\.1:(\d+)/, 30000);
  const base = `http://127.0.0.1:${served[2]}`;
  const api = `http://127.0.0.1:${served[1]}/ngsi-ld/v1`;
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const drawn = (kind) => page.evaluate((k) => [...window.citytwin.model.entities.values()].filter((e) => e.kind === k && e.path).length, kind);

  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-snapshot="done"]', { timeout: 20000 });
  check(await drawn('road_segment') === 0 && await drawn('street_lamp') === counts.street_lamp,
    `an anonymous page shows open data only: ${await drawn('street_lamp')} lamps, ${await drawn('road_segment')} segments`);
  check((await page.textContent('#who')).includes('anonymous'), 'the header says the page is anonymous');

  await page.goto(`${base}/?token=demo-viewer-secret`);
  await page.waitForSelector('body[data-snapshot="done"]', { timeout: 20000 });
  check(await drawn('road_segment') === counts.road_segment,
    `/?token=demo-viewer-secret shows all ${counts.road_segment} segments (drew ${await drawn('road_segment')})`);
  check((await page.textContent('#who')).includes('demo-viewer'), 'the header names the token');

  // Refused streams are not retried, however long we wait: the page gets
  // Playwright's fake clock and a count of the WebSockets it opens, so a
  // minute of its timers (the retry back-off is 0.5-10 s) runs at once.
  await page.clock.install();
  await page.addInitScript(() => {
    const Real = window.WebSocket;
    window.socketsOpened = 0;
    window.WebSocket = class extends Real {
      constructor(...args) { super(...args); window.socketsOpened++; }
    };
  });
  await page.goto(`${base}/?token=not-a-secret`);
  let refusal = '';
  try {
    await page.waitForSelector('body[data-refused]', { timeout: 10000 });
    refusal = await page.textContent('#notice');
  } catch { /* reported below */ }
  check(refusal.includes('token refused: unknown') && await page.isVisible('#notice'),
    `a bad token is refused with its reason on the page ("${refusal}")`);
  await page.screenshot({ path: join(artifacts, 'viewer-refused.png') });
  await page.clock.runFor(60000);
  const opened = await page.evaluate(() => window.socketsOpened);
  check(opened === 1, `a refused stream is not retried in a minute of the page's time (${opened} WebSockets)`);
  // Stream counters need a monitoring token (demo-monitor in demo.yaml).
  check((await fetch(`${base}/api/stream`)).status === 401, 'anonymous /api/stream is refused with 401');
  const stream = await (await fetch(`${base}/api/stream`, { headers: { Authorization: 'Bearer demo-monitor-secret' } })).json();
  check(stream.refused_unknown_token === 1, `the refusal is counted once (${stream.refused_unknown_token})`);
  check(errors.length === 0, `no page errors with access rules (${errors.join('; ')})`);
  await page.close();
  await checkAcknowledge(browser, base, api);
}

// An operator acknowledges a rule's alert from the page; a viewer cannot.
async function checkAcknowledge(browser, base, api) {
  const urn = 'urn:ngsi-ld:RoadSegment:demo:000000';
  const patched = await fetch(`${api}/entities/${urn}/attrs`, {
    method: 'PATCH',
    headers: { Authorization: 'Bearer demo-operator-secret', 'Content-Type': 'application/json' },
    body: JSON.stringify({ averageVehicleSpeed: { type: 'Property', value: 3 } }),
  });
  check(patched.status === 204, `an operator writes a jam speed through NGSI-LD (${patched.status})`);
  const open = async (token) => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.goto(`${base}/?token=${token}`);
    await page.waitForSelector('body[data-snapshot="done"]', { timeout: 20000 });
    await page.waitForFunction(() => document.querySelector('#alerts').textContent.includes('road jammed'), null, { timeout: 5000 });
    return page;
  };
  const viewer = await open('demo-viewer-secret');
  await viewer.click('#alerts button.ack');
  await viewer.waitForSelector('#notice:not([hidden])', { timeout: 3000 });
  check((await viewer.textContent('#notice')).includes('operator, emergency or admin'),
    'a viewer token cannot acknowledge, and the page says which role can');
  await viewer.close();
  const operator = await open('demo-operator-secret');
  await operator.click('#alerts button.ack');
  let acked = false;
  try {
    await operator.waitForFunction(() => document.querySelector('#alerts').textContent.includes('acknowledged by operator:demo-operator'), null, { timeout: 3000 });
    acked = true;
  } catch { /* reported below */ }
  check(acked, 'an operator acknowledges the alert from the page, and it says by whom');
  const audit = await (await fetch(`${base}/api/audit?kind=alert_acknowledged`, { headers: { Authorization: 'Bearer demo-admin-secret' } })).json();
  check(audit.entries.length === 1 && audit.entries[0].who === 'operator:demo-operator',
    `the acknowledgement is in the audit log (${JSON.stringify(audit.entries)})`);
  await operator.close();
}

run(main);
