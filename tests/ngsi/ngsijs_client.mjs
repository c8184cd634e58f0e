// tests/ngsi/ngsijs_client.mjs: drives `citytwin serve --access ...` with
// ngsijs (FIWARE's NGSI.js, a real third-party NGSI-LD client), the way an
// application would: create, read, query, update, subscribe, delete, and
// the live twin's own entities. Exit 0 on success, 1 on a failure, 77 when
// ngsijs is not installed (.ci/setup installs it).
//
// usage: node ngsijs_client.mjs CITYTWIN_BINARY CITY_FILE ACCESS_FILE
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { skip } from '../skip.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'package.json'));
let NGSI;
try {
  NGSI = require('ngsijs');
} catch (e) {
  skip('ngsijs is not installed in tests/ngsi (run .ci/setup)');
}

const [binary, cityFile, accessFile] = process.argv.slice(2);
const CTX = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld';
const deadline = setTimeout(() => fail('timed out after 60 s'), 60000);
let server;

function fail(message) {
  console.error('FAIL: ' + message);
  if (server) server.kill('SIGTERM');
  process.exit(1);
}

function check(cond, message) {
  if (!cond) fail(message);
  console.log('ok: ' + message);
}

async function expectRejection(promise, what) {
  try {
    await promise;
  } catch (e) {
    console.log(`ok: ${what} rejected (${e.name || e.constructor.name})`);
    return e;
  }
  fail(`${what} should have been rejected`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts the server on free ports and returns the API's base URL.
function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(binary, ['serve', cityFile, '--host', '127.0.0.1',
      '--port', '0', '--no-feed', '--access', accessFile, '--api-port', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/NGSI-LD API on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error('serve exited ' + code)));
  });
}

// A webhook receiver for notifications.
function startReceiver() {
  const got = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      got.push(JSON.parse(body));
      res.statusCode = 204;
      res.end();
    });
  });
  return new Promise((resolve) => {
    receiver.listen(0, '127.0.0.1', () => resolve({ receiver, got }));
  });
}

async function waitFor(cond, what, ms = 5000) {
  for (let waited = 0; waited < ms; waited += 20) {
    if (await cond()) return;
    await sleep(20);
  }
  fail('waited in vain for ' + what);
}

async function main() {
  const base = await startServer();
  const admin = new NGSI.Connection(base,
    { headers: { Authorization: 'Bearer demo-admin-secret' } });
  const id = 'urn:ngsi-ld:OffStreetParking:ngsijs-1';

  // create with a JSON-LD body (application/ld+json, @context inside)
  await admin.ld.createEntity({
    id, type: 'OffStreetParking',
    availableSpotNumber: { type: 'Property', value: 12 },
    totalSpotNumber: { type: 'Property', value: 200 },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [10.2, 56.15] } },
    '@context': CTX
  });
  let got = await admin.ld.getEntity({ id });
  check(got.entity.availableSpotNumber.value === 12, 'createEntity + getEntity');
  await expectRejection(admin.ld.createEntity({ id, type: 'OffStreetParking', '@context': CTX }),
    'creating the same entity twice');

  const q = await admin.ld.queryEntities({ type: 'OffStreetParking', limit: 5, count: true });
  check(q.results.length === 1 && q.count === 1, 'queryEntities by type with count');
  const near = await admin.ld.queryEntities({
    type: 'OffStreetParking', georel: 'near;maxDistance==1000',
    geometry: 'Point', coordinates: '[10.201,56.15]'
  });
  check(near.results.length === 1, 'queryEntities with a geo-query');
  const filtered = await admin.ld.queryEntities({ type: 'OffStreetParking', q: 'availableSpotNumber>50' });
  check(filtered.results.length === 0, 'queryEntities with q');

  // a subscription with a webhook
  const { receiver, got: notifications } = await startReceiver();
  const hook = `http://127.0.0.1:${receiver.address().port}/notify`;
  const sub = await admin.ld.createSubscription({
    type: 'Subscription',
    entities: [{ type: 'OffStreetParking' }],
    watchedAttributes: ['availableSpotNumber'],
    notification: { endpoint: { uri: hook, accept: 'application/json' } },
    '@context': CTX
  });
  check(typeof sub.subscription.id === 'string', 'createSubscription returns its id');
  const fetched = await admin.ld.getSubscription({ id: sub.subscription.id });
  check(fetched.subscription.entities[0].type === 'OffStreetParking', 'getSubscription');

  await admin.ld.updateEntityAttributes({ id, availableSpotNumber: { type: 'Property', value: 7 } });
  got = await admin.ld.getEntity({ id });
  check(got.entity.availableSpotNumber.value === 7, 'updateEntityAttributes');
  await waitFor(() => notifications.some((n) => n.data.some((e) => e.availableSpotNumber
    && e.availableSpotNumber.value === 7)), 'the notification of the update');
  check(notifications.every((n) => n.type === 'Notification'
    && n.subscriptionId === sub.subscription.id), 'notifications carry the subscription id');

  await admin.ld.appendEntityAttributes({ id, name: { type: 'Property', value: 'Bruuns' } });
  got = await admin.ld.getEntity({ id, attrs: ['name'] });
  check(got.entity.name.value === 'Bruuns' && got.entity.totalSpotNumber === undefined,
    'appendEntityAttributes and attrs projection');
  await admin.ld.updateEntityAttribute({ value: 'Bruuns Galleri' }, { id, attribute: 'name' });
  got = await admin.ld.getEntity({ id, keyValues: true });
  check(got.entity.name === 'Bruuns Galleri', 'updateEntityAttribute and keyValues');

  const types = await admin.ld.listTypes();
  check(types.results.typeList.includes('OffStreetParking')
    && types.results.typeList.includes('StreetLight'), 'listTypes has API and twin types');
  const type = await admin.ld.getType({ type: 'StreetLight' });
  check(type.type.entityCount > 0, 'getType counts the twin\'s lamps');

  // the live twin: a lamp is an entity; writing dimLevel sends a reading
  const lamp = 'urn:ngsi-ld:StreetLight:demo:000003';
  await admin.ld.updateEntityAttributes({ id: lamp, dimLevel: { type: 'Property', value: 0.75 } });
  await waitFor(async () => (await admin.ld.getEntity({ id: lamp })).entity.dimLevel.value === 0.75,
    'the twin to apply the lamp reading');
  console.log('ok: a write to a live lamp reaches the twin and comes back');
  await expectRejection(admin.ld.deleteEntity({ id: lamp }), 'deleting a live twin entity');

  // tenants and roles as an application sees them
  const anon = new NGSI.Connection(base);
  const open = await anon.ld.queryEntities({ type: 'StreetLight', limit: 3 });
  check(open.results.length === 3, 'anonymous callers read open data');
  await expectRejection(anon.ld.queryEntities({ type: 'OffStreetParking' }),
    'anonymous query of private data');
  const neighbour = new NGSI.Connection(base,
    { headers: { Authorization: 'Bearer aarhus-admin-secret' } });
  await expectRejection(neighbour.ld.getEntity({ id, tenant: 'demo' }), 'cross-tenant read');
  const ownTenant = await neighbour.ld.queryEntities({ type: 'OffStreetParking' });
  check(ownTenant.results.length === 0, 'another tenant sees none of it in its own space');

  await admin.ld.deleteSubscription({ id: sub.subscription.id });
  await admin.ld.deleteEntity({ id });
  await expectRejection(admin.ld.getEntity({ id }), 'getEntity after deleteEntity');

  receiver.close();
  server.kill('SIGTERM');
  clearTimeout(deadline);
  console.log('PASS: ngsijs drove the NGSI-LD API');
}

main().catch((e) => fail(e.stack || String(e)));
