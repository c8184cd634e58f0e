// tests/viz/browser/whatif.mjs: what-if runs in the viewer page, in
// headless Chromium.
// Usage: node whatif.mjs CITYTWIN CITY_FILE WEB_DIR ARTIFACT_DIR
// Starts `citytwin serve --access data/access/demo.yaml`, submits two
// short scenarios with a planner token (POST /api/scenarios: a baseline
// evening and the same evening with a concert crowd leaving and a closed
// block), then data/scenarios/stadium_concert.yaml (a run of seconds),
// and checks on the page: the panel lists the runs, follows a running one
// until done and then stops polling, shows a run beside its baseline
// (group trip times, recommended actions), and at a slider time marks as
// many congested roads as the server's episodes say are active then,
// split into new in the run, also in the baseline and baseline only; runs
// the concert again with its traffic actions from the page and shows it
// beside the concert; a
// viewer token lists the runs too; an anonymous page and a server without
// the route get a message in the panel while the live view goes on.
// Saves whatif.png in ARTIFACT_DIR. Exit 77 (skipped, tests/skip.mjs)
// without chromium, playwright-core or a built page.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromiumOrSkip, createHarness } from './harness.mjs';

const [citytwin, cityFile, webDir, artifacts] = process.argv.slice(2);
const accessFile = join(dirname(cityFile), 'access', 'demo.yaml');
const launchBrowser = chromiumOrSkip(webDir);

// Secrets of data/access/demo.yaml (data/access/README.md: demo only).
const PLANNER = 'demo-planner-secret';
const VIEWER = 'demo-viewer-secret';
const MONITOR = 'demo-monitor-secret';
const OPERATOR = 'demo-operator-secret';
const EMERGENCY = 'demo-emergency-secret';
// Both runs cover the same hour of the same evening, so their congestion
// compares at equal times. An hour of the demo city runs in about a
// second.
const EVENING = `city: demo
start: "2026-06-13T23:00"
horizon: 1h
seed: 42
background: {level: 1.0, source: equilibrium}
`;
const BASELINE = `version: 1
name: evening_baseline
${EVENING}`;
// 6,000 visitors, half by car, two to a car: 1,500 cars out of four car
// parks (3,100 veh/h together: empty after 29 min, inside the hour) around
// the stadium crossing (intersection 305), whose block of Street 12 is
// closed; in the demo city this jams some fifty roads beyond the
// baseline's (data/scenarios/stadium_concert.yaml, scaled down).
const CONCERT = `version: 1
name: concert_exit
${EVENING}events:
  - name: concert
    venue: {intersection: 305}
    attendees: 6000
    departure: {from: "+0s", to: "+15min"}
    car_share: 0.5
    occupancy: 2.0
    parking:
      - {name: P_North, intersection: 329, spaces: 1500, exit_capacity_veh_h: 900}
      - {name: P_South, intersection: 281, spaces: 1500, exit_capacity_veh_h: 900}
      - {name: P_West, intersection: 303, spaces: 1200, exit_capacity_veh_h: 700}
      - {name: P_East, segment: 1200, spaces: 1000, exit_capacity_veh_h: 600}
closures:
  - segments: [1196, 1197]
`;
const RUNS_DONE_WITHIN_MS = 90000;
const SLIDER_STEP_S = 60; // viz/web/src/index.html

const { tmp, check, start, run } = createHarness('whatif');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function getJson(url, secret) {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${secret}` } });
  return { status: res.status, body: await res.json().catch(() => null) };
}

// Waits, bounded, until every run is done (or failed); returns them with
// their results.
async function finishedRuns(base, ids) {
  const deadline = Date.now() + RUNS_DONE_WITHIN_MS;
  for (;;) {
    const runs = await Promise.all(ids.map((id) => getJson(`${base}/api/scenarios/${id}`, VIEWER)));
    if (runs.every((r) => r.body && ['done', 'failed'].includes(r.body.status))) return runs.map((r) => r.body);
    if (Date.now() > deadline)
      throw new Error(`runs not done in ${RUNS_DONE_WITHIN_MS} ms: ${JSON.stringify(runs.map((r) => r.body && r.body.status))}`);
    await sleep(250);
  }
}

// The server's episodes active at t, as distinct roads (fromS <= t < toS).
function activeRoads(results, t) {
  return new Set(results.congestion.filter((c) => c.fromS <= t && t < c.toS).map((c) => c.segment));
}

// A slider time (a multiple of its step) showing roads new in the run and
// roads congested in both, so both marks are on the map.
function telling(run, baseline) {
  let best = { t: -1, score: -1 };
  for (let t = 0; t < run.horizonS; t += SLIDER_STEP_S) {
    const r = activeRoads(run.results, t);
    const b = activeRoads(baseline.results, t);
    const fresh = [...r].filter((u) => !b.has(u)).length;
    const score = Math.min(fresh, r.size - fresh) * 1000 + r.size;
    if (score > best.score) best = { t, score };
  }
  return best.t;
}

// The clock at t after a start written "YYYY-MM-DDTHH:MM", as HH:MM.
function clockOf(start, t) {
  const [h, m] = start.slice(11, 16).split(':').map(Number);
  const minutes = (h * 60 + m + Math.floor(t / 60)) % (24 * 60);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

async function main() {
  const served = await start(citytwin, ['serve', cityFile, '--host', '127.0.0.1', '--port', '0', '--no-feed',
    '--access', accessFile, '--api-port', '0', '--web-dir', webDir,
    // Rules bring ALERTS, through which a run's actions are issued.
    '--rules', join(dirname(cityFile), 'rules', 'demo.yaml')],
  /NGSI-LD API on http:\/\/127\.0\.0\.1:(\d+)[\s\S]*serving http:\/\/127\.0\.0\.1:(\d+)/, 30000);
  const base = `http://127.0.0.1:${served[2]}`;
  const status = (await getJson(`${base}/api/status`, MONITOR)).body;

  const browser = await launchBrowser();
  const external = [];
  const errors = [];
  const open = async (query) => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('ws://127.0.0.1') && !r.url().startsWith('data:')) external.push(r.url()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/${query}`);
    await page.waitForSelector('body[data-snapshot="done"]', { timeout: 20000 });
    return page;
  };
  const drawnSegments = (page) => page.evaluate(() => [...window.citytwin.model.entities.values()].filter((e) => e.kind === 'road_segment' && e.path).length);
  const openPanel = async (page) => {
    await page.click('#whatif-panel summary');
    await page.waitForSelector('#whatif-panel[data-listed]', { timeout: 5000 });
  };
  try {
    // Before any run: the panel says so.
    const page = await open(`?token=${PLANNER}`);
    const listRequests = [];
    page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/scenarios') listRequests.push(Date.now()); });
    await openPanel(page);
    check((await page.textContent('#whatif-note')).includes('No what-if runs yet'),
      `an empty server's panel says there are no runs ("${await page.textContent('#whatif-note')}")`);

    const submitted = [];
    for (const [name, yaml] of [['evening_baseline', BASELINE], ['concert_exit', CONCERT]]) {
      const res = await fetch(`${base}/api/scenarios`, { method: 'POST', headers: { Authorization: `Bearer ${PLANNER}` }, body: yaml });
      const body = await res.json().catch(() => ({}));
      check(res.status === 202 && body.id > 0, `POST /api/scenarios accepts ${name} (${res.status} ${JSON.stringify(body)})`);
      submitted.push(body.id);
    }
    // The page follows the runs from here on by itself (it polls while
    // one forks or runs).
    await page.click('#whatif-refresh');
    await page.waitForSelector('#whatif-panel[data-listed="2"]', { timeout: 5000 });
    const seenActive = await page.$$eval('#whatif-runs li', (lis) => lis.filter((li) => /st-(forking|running)/.test(li.className)).length);
    const [baseline, concert] = await finishedRuns(base, submitted);
    check(baseline.status === 'done' && concert.status === 'done',
      `both runs finish (${baseline.status}${baseline.error ? `: ${baseline.error}` : ''}, ${concert.status}${concert.error ? `: ${concert.error}` : ''})`);
    const allDone = await page.waitForFunction(() => [...document.querySelectorAll('#whatif-runs li')].every((li) => li.classList.contains('st-done')),
      null, { timeout: 10000 }).then(() => true, () => false);
    check(allDone, `the list shows both runs done (${seenActive} still running when first listed)`);
    const listText = await page.textContent('#whatif-runs');
    check(listText.includes('evening_baseline') && listText.includes('concert_exit') && listText.includes('planner:demo-planner'),
      'the list names the runs and who submitted them');

    // A run that takes seconds (the repository's 9 h stadium concert):
    // the page shows it running, then done, by polling every 2 s.
    const long = await fetch(`${base}/api/scenarios`, { method: 'POST', headers: { Authorization: `Bearer ${PLANNER}` },
      body: readFileSync(join(dirname(cityFile), 'scenarios', 'stadium_concert.yaml'), 'utf8') });
    const longId = (await long.json().catch(() => ({}))).id;
    check(long.status === 202 && longId > 0, `POST /api/scenarios accepts stadium_concert.yaml (${long.status})`);
    await page.click('#whatif-refresh');
    const running = await page.waitForSelector(`#whatif-runs li[data-id="${longId}"]:is(.st-forking, .st-running) progress`, { timeout: 5000 })
      .then(() => true, () => false);
    check(running, 'the list shows the long run in progress, with a progress bar');
    const pollsFrom = listRequests.length;
    const followed = await page.waitForSelector(`#whatif-runs li[data-id="${longId}"].st-done`, { timeout: RUNS_DONE_WITHIN_MS })
      .then(() => true, () => false);
    check(followed && listRequests.length - pollsFrom >= 1,
      `the page follows it until done by itself (${listRequests.length - pollsFrom} list requests meanwhile)`);
    const quietSince = listRequests.length;
    await page.waitForTimeout(5000);
    check(listRequests.length === quietSince, `polling stops once no run is active (${listRequests.length - quietSince} list requests in 5 s)`);

    const r = concert.results;
    const b = baseline.results;
    check(r.congestion.length > 0 && r.groups.length > 0 && r.actions.length > 0,
      `the concert run has congestion (${r.congestionEpisodes} episodes, ${r.congestion.length} listed), groups and actions`);

    // The concert run beside the baseline.
    await page.selectOption('#whatif-run', String(concert.id));
    await page.waitForSelector(`#whatif-baseline option[value="${baseline.id}"]`, { state: 'attached', timeout: 5000 });
    await page.selectOption('#whatif-baseline', String(baseline.id));
    await page.waitForSelector(`#whatif-panel[data-shown^="${concert.id}:${baseline.id}:"]`, { timeout: 5000 });
    const t = telling(concert, baseline);
    await page.$eval('#whatif-time', (el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', { bubbles: true })); }, t);
    await page.waitForSelector(`#whatif-panel[data-shown="${concert.id}:${baseline.id}:${t}"]`, { timeout: 5000 });
    const runRoads = activeRoads(r, t);
    const baseRoads = activeRoads(b, t);
    const episodes = r.congestion.filter((c) => c.fromS <= t && t < c.toS).length;
    const shown = Number(await page.textContent('#whatif-congested-count'));
    check(shown === episodes && shown === runRoads.size && shown > 0,
      `at +${t} s the page counts ${shown} congested roads, the API's episodes with fromS <= t < toS: ${episodes} (${runRoads.size} roads)`);
    const fresh = [...runRoads].filter((u) => !baseRoads.has(u)).length;
    const onlyBase = [...baseRoads].filter((u) => !runRoads.has(u)).length;
    const split = [await page.textContent('#whatif-new-count'), await page.textContent('#whatif-both-count'),
      await page.textContent('#whatif-baseline-only-count')].map(Number);
    check(split[0] === fresh && split[1] === runRoads.size - fresh && split[2] === onlyBase,
      `new / also in the baseline / baseline only: page ${split.join(' / ')}, API ${fresh} / ${runRoads.size - fresh} / ${onlyBase}`);
    const drawn = await page.evaluate(() => window.citytwin.whatIf().drawnRoads);
    check(drawn === runRoads.size, `the map draws all ${runRoads.size} of them (${drawn})`);
    check(await page.evaluate(() => window.citytwin.layerPixels('whatif')) > 500, 'the what-if canvas has painted pixels');
    const clock = await page.textContent('#whatif-clock');
    check(clock.startsWith(clockOf(r.start, t)), `the slider reads clock time: "${clock}" for ${r.start} + ${t} s`);

    const groupNames = await page.$$eval('#whatif-groups tr[data-group]', (trs) => trs.map((tr) => tr.dataset.group));
    const expectedGroups = [...new Set([...r.groups.map((g) => g.name), ...b.groups.map((g) => g.name)])];
    check(JSON.stringify(groupNames) === JSON.stringify(expectedGroups),
      `the groups table shows the API's groups (${groupNames.join(', ')})`);
    const concertGroup = r.groups.find((g) => g.name === 'concert');
    const arrivedCells = concertGroup
      ? await page.$$eval('#whatif-groups tr[data-group="concert"] td', (tds) => tds.map((td) => td.textContent)) : [];
    // Columns: mean, p95, arrived, never started, each run then baseline.
    check(concertGroup && arrivedCells[4].replace(/\D/g, '') === String(concertGroup.arrived) && arrivedCells[5] === '–',
      `the concert group's arrivals beside the baseline, which has no such group (${arrivedCells.join(' | ')})`);
    const baseGroup = b.groups.find((g) => g.name === 'background');
    const backgroundCells = await page.$$eval('#whatif-groups tr[data-group="background"] td', (tds) => tds.map((td) => td.textContent));
    check(baseGroup && backgroundCells[5].replace(/\D/g, '') === String(baseGroup.arrived),
      `the baseline's background arrivals stand beside the run's (${backgroundCells.join(' | ')})`);
    const actions = await page.$$eval('#whatif-actions li[data-index]', (lis) => lis.map((li) => li.textContent));
    check(actions.length === r.actions.length && actions[0].includes(r.actions[0].text),
      `the ${r.actions.length} recommended actions are listed, first "${r.actions[0].text.slice(0, 60)}..."`);
    check(actions.some((a) => /urgent|important|advice/.test(a)), 'each action shows its priority');

    check(await drawnSegments(page) === status.entities_by_kind.road_segment
      && await page.evaluate(() => window.citytwin.layerPixels('roads')) > 1000,
      `the live view still draws all ${status.entities_by_kind.road_segment} segments`);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'whatif.png') });

    // The concert's traffic actions put into effect: the server runs the
    // same scenario on the same fork again, and the page shows the new run
    // beside the concert once it is done.
    const trafficActions = r.actions.filter((a) => a.changesTraffic).length;
    check(trafficActions > 0 && await page.isVisible('#whatif-apply'),
      `the concert has ${trafficActions} actions that change traffic, and the page offers to run them`);
    await page.click('#whatif-apply');
    const againId = await page.waitForFunction((c) => {
      const [runId, baseId] = (document.getElementById('whatif-panel').dataset.shown || '').split(':');
      return runId !== String(c) && baseId === String(c) ? runId : false;
    }, concert.id, { timeout: RUNS_DONE_WITHIN_MS }).then((h) => h.jsonValue(), () => null);
    check(againId, `the run again shows beside the concert (${againId})`);
    if (againId) {
      const [again] = await finishedRuns(base, [Number(againId)]);
      const sameTrips = JSON.stringify(again.results.groups.map((g) => g.trips)) === JSON.stringify(r.groups.map((g) => g.trips));
      check(again.appliedTo === concert.id && again.applied.length === trafficActions && sameTrips,
        `the server ran #${concert.id} again with its ${again.applied.length} traffic actions, the same trips per group (${sameTrips})`);
      const summaryText = await page.textContent('#whatif-summary');
      check(summaryText.includes(`Run #${concert.id} again with ${trafficActions} of its actions in effect`),
        'the page says which run and how many actions');
      const digits = (x) => String(x).replace(/\D/g, '');
      const m = /Congested road-minutes: ([^(]+)\(baseline ([^)]+)\)/.exec(await page.textContent('#whatif-road-minutes'));
      check(m && digits(m[1]) === String(Math.round(again.results.congestedRoadMinutes))
        && digits(m[2]) === String(Math.round(r.congestedRoadMinutes)),
        `congested road-minutes with the actions and without, as the server counts them (${m ? `${m[1]}/ ${m[2]}` : 'none shown'}; API ${again.results.congestedRoadMinutes} / ${r.congestedRoadMinutes})`);
    }

    // Closing the panel takes its marks off the map.
    await page.click('#whatif-panel summary');
    await page.waitForTimeout(300);
    check(await page.evaluate(() => window.citytwin.layerPixels('whatif')) === 0, 'closing the panel clears its marks');
    await page.close();

    // A viewer may read runs, not submit them.
    const viewer = await open(`?token=${VIEWER}`);
    await openPanel(viewer);
    const viewerList = await viewer.textContent('#whatif-runs');
    check(await viewer.getAttribute('#whatif-panel', 'data-listed') === '4' && viewerList.includes('concert_exit'),
      'a viewer token lists the runs too');
    await viewer.waitForSelector('#whatif-panel[data-shown]', { timeout: 5000 });
    check(await drawnSegments(viewer) === status.entities_by_kind.road_segment,
      'the viewer page draws the live segments with the panel open');
    await viewer.close();

    // Nobody's token: the route refuses, the panel says why, the open-data
    // live view goes on.
    const anonymous = await open('');
    await openPanel(anonymous);
    const refusal = await anonymous.textContent('#whatif-note');
    check(refusal.includes('needs a token'), `an anonymous page's panel gives the server's reason ("${refusal}")`);
    check(await anonymous.evaluate(() => window.citytwin.layerPixels('lamps')) > 0, 'the anonymous live view still draws');
    await anonymous.close();

    // A server without the route: 404, a short message.
    const bare = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    bare.on('pageerror', (e) => errors.push(String(e)));
    await bare.route((url) => url.pathname.startsWith('/api/scenarios'),
      (route) => route.fulfill({ status: 404, contentType: 'application/json', body: '{"title":"ResourceNotFound","detail":"no route"}' }));
    await bare.goto(`${base}/?token=${VIEWER}`);
    await bare.waitForSelector('body[data-snapshot="done"]', { timeout: 20000 });
    await openPanel(bare);
    check((await bare.textContent('#whatif-note')).includes('No what-if runs on this server'),
      'a 404 from the route gets a short message');
    check(await drawnSegments(bare) === status.entities_by_kind.road_segment, 'and the live view draws as before');
    await bare.close();

    // An operator issues the concert's actions; the emergency desk's page
    // lists them with their audience from the server and closes one with
    // how it went.
    const issued = await fetch(`${base}/api/scenarios/${concert.id}/issue`,
      { method: 'POST', headers: { Authorization: `Bearer ${OPERATOR}` } });
    const issuedBody = await issued.json().catch(() => ({}));
    check(issued.status === 200 && issuedBody.issued === concert.results.actions.length,
      `an operator issues the concert's ${concert.results.actions.length} actions (${issued.status} ${JSON.stringify(issuedBody)})`);
    const desk = await open(`?token=${EMERGENCY}`);
    await desk.waitForSelector('#alerts button.outcome', { timeout: 5000 });
    const forPolice = await desk.$$eval('#alerts li', (lis) => lis.filter((li) => /· for [^·]*\bpolice/.test(li.querySelector('span').textContent)).length);
    const wantPolice = concert.results.actions.filter((a) => a.audiences.includes('police')).length;
    const apiAlerts = (await getJson(`${base}/api/alerts`, EMERGENCY)).body.alerts;
    check(forPolice === wantPolice, `the desk's page lists the ${wantPolice} actions for the police (${forPolice}; API: ${JSON.stringify(apiAlerts.map((x) => [x.rule, x.audience, x.status]))})`);
    const target = await desk.getAttribute('#alerts button.outcome[data-outcome="done"]', 'data-id');
    await desk.click(`#alerts button.outcome[data-outcome="done"][data-id="${target}"]`);
    let outcome;
    for (let i = 0; i < 50 && !outcome; i++) {
      const alerts = (await getJson(`${base}/api/alerts`, EMERGENCY)).body;
      outcome = (alerts.alerts.find((x) => String(x.id) === target) || {}).outcome;
      if (!outcome) await sleep(100);
    }
    check(outcome === 'done', `the page's "done" closes action ${target} on the server (${outcome})`);
    const shownOutcome = await desk.waitForFunction(
      () => [...document.querySelectorAll('#alerts li')].some((li) => li.textContent.includes('outcome: done (emergency:demo-emergency)')),
      null, { timeout: 5000 }).then(() => true, () => false);
    check(shownOutcome, 'and the page shows the outcome and who reported it');
    await desk.close();

    check(external.length === 0, `no requests leave citytwin (${external.join(', ')})`);
    check(errors.length === 0, `no page errors (${errors.join('; ')})`);
  } finally {
    await browser.close();
  }
}

run(main);
