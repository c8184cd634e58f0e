// The citytwin viewer: the city drawn from the twin's own geometry, live.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { connect } from './stream.js';
import { Model } from './model.js';
import { escape } from './html.js';
import { WhatIfPanel } from './whatif.js';
import { ClusterBadge } from './cluster.js';

const model = new Model();
const $ = (id) => document.getElementById(id);

// Layers the operator can toggle, each drawn on its own canvas.
const LAYERS = [
  { name: 'roads', label: 'Roads (speed)', kinds: ['road_segment'] },
  { name: 'intersections', label: 'Intersections', kinds: ['intersection'] },
  { name: 'lamps', label: 'Street lamps', kinds: ['street_lamp'] },
  { name: 'bins', label: 'Waste bins', kinds: ['waste_bin'] },
  { name: 'sensors', label: 'Sensors', kinds: ['traffic_counter', 'air_quality', 'noise_sensor', 'parking_sensor', 'energy_meter', 'camera'] },
];
const layerOfKind = {};
for (const l of LAYERS) for (const k of l.kinds) layerOfKind[k] = l;

const CONGESTION = ['#4a5563', '#2ecc71', '#f1c40f', '#e67e22', '#e74c3c'];

function colorOf(e) {
  const a = e.state ? e.state.attributes : {};
  switch (e.kind) {
    case 'road_segment': return CONGESTION[a.congestion | 0] || CONGESTION[0];
    case 'intersection': return a.num_phases > 0 ? '#7f8fa6' : '#39424e';
    case 'street_lamp': return a.lamp_fault === 1 ? '#ff4dd2' : a.on === 1 ? '#ffd166' : '#5c5540';
    case 'waste_bin': {
      const f = Math.max(0, Math.min(1, a.fill_level || 0));
      return f >= 0.9 ? '#e74c3c' : f >= 0.6 ? '#e67e22' : '#2ecc71';
    }
    // Sensors turn red while the server has an open alert on them.
    default: return model.alerts.has(e.id) ? '#e74c3c' : '#4cc9f0';
  }
}

const map = L.map('map', { zoomControl: true, attributionControl: false, preferCanvas: true, zoomSnap: 0.25, minZoom: 3, maxZoom: 21 });
map.getContainer().style.background = '#070a0e';
for (const l of LAYERS) {
  const pane = map.createPane(l.name);
  pane.classList.add(`layer-${l.name}`);
  l.renderer = L.canvas({ pane: l.name, padding: 0.2 });
  l.group = L.layerGroup().addTo(map);
}
const selection = L.layerGroup().addTo(map);
let selected = null;
let plot = null;
let plotAttr = null;

function draw(e) {
  const l = layerOfKind[e.kind];
  const color = colorOf(e);
  if (e.path) {
    if (e.color !== color) { e.path.setStyle({ color, fillColor: color }); e.color = color; }
    return;
  }
  const opts = { renderer: l.renderer, interactive: false, color, fillColor: color };
  if (e.kind === 'road_segment') {
    e.latlngs = e.layout.coords.map(([lon, lat]) => [lat, lon]);
    e.path = L.polyline(e.latlngs, { ...opts, weight: 1.5 + (e.layout.lanes || 1), opacity: 0.9, lineCap: 'round' });
  } else {
    const [lon, lat] = e.layout.at;
    e.latlngs = [[lat, lon]];
    const radius = e.kind === 'street_lamp' ? 2.5 : e.kind === 'intersection' ? 2 : 4.5;
    e.path = L.circleMarker([lat, lon], { ...opts, radius, weight: e.kind === 'street_lamp' ? 0 : 1, fillOpacity: 0.9 });
  }
  e.color = color;
  e.path.addTo(l.group);
}

// Picks the entity nearest a click, among visible layers, within 8 px.
function pick(point) {
  let best = null;
  let bestD = 8;
  for (const e of model.entities.values()) {
    if (!e.path || !map.hasLayer(layerOfKind[e.kind].group)) continue;
    const pts = e.latlngs.map((ll) => map.latLngToContainerPoint(ll));
    let d = pts.length === 1 ? point.distanceTo(pts[0]) : Infinity;
    for (let i = 1; i < pts.length; i++) d = Math.min(d, L.LineUtil.pointToSegmentDistance(point, pts[i - 1], pts[i]));
    // Points win over the road they stand on.
    if (pts.length === 1) d -= 3;
    if (d < bestD) { bestD = d; best = e; }
  }
  return best;
}
map.on('click', (ev) => select(pick(ev.containerPoint)));

function select(e) {
  selected = e;
  if (e) e.archive = undefined; // each selection reads the archive afresh
  selection.clearLayers();
  if (plot) { plot.destroy(); plot = null; }
  plotAttr = null;
  if (!e) { $('details').innerHTML = '<p class="note">Click a road, lamp, bin or sensor on the map.</p>'; return; }
  const style = { color: '#ffffff', weight: 3, fill: false, interactive: false };
  if (e.latlngs.length > 1) L.polyline(e.latlngs, { ...style, weight: 9, opacity: 0.35 }).addTo(selection);
  else L.circleMarker(e.latlngs[0], { ...style, radius: 10 }).addTo(selection);
  renderDetails();
}

function renderDetails() {
  const e = selected;
  if (!e) return;
  const s = e.state;
  const attrs = s ? s.attributes : {};
  const names = Object.keys(attrs);
  if (!plotAttr || !(plotAttr in attrs)) plotAttr = names[0];
  const rows = names.map((n) => `<tr data-attr="${n}"${n === plotAttr ? ' class="on"' : ''}><th>${n}</th><td>${fmt(attrs[n])}</td></tr>`).join('');
  const title = e.layout.name ? `${e.layout.name}` : e.kind.replace(/_/g, ' ');
  $('details').innerHTML = `<div class="ent-title">${title}</div><div class="ent-id">${e.id}</div>`
    + `<div class="ent-meta">${s ? `updated ${new Date(s.updated_ms).toLocaleTimeString()} · ${s.num_applied} readings` : 'no state yet'}</div>`
    + `<table class="attrs">${rows}</table>`;
  for (const tr of $('details').querySelectorAll('tr[data-attr]'))
    tr.onclick = () => { plotAttr = tr.dataset.attr; if (plot) { plot.destroy(); plot = null; } renderDetails(); };
  renderPlot();
}

// The selected entity's last day from the server's archive (GET
// /api/entities/<urn>/history), fetched once per selection; live values
// newer than it are appended as they come.
async function loadArchive(e) {
  if (e.archive !== undefined) return;
  e.archive = null; // asked once
  try {
    const res = await fetch(`/api/entities/${e.id}/history${tokenQuery}`);
    if (!res.ok) return;
    e.archive = await res.json();
    if (selected === e) { if (plot) { plot.destroy(); plot = null; } renderPlot(); }
  } catch { /* no archive: the live values alone */ }
}

function plotData(e, attr) {
  const h = e.history;
  const live = [h.t, h.values[attr] || []];
  const stored = e.archive && e.archive[attr];
  if (!stored) return [live[0].slice(), live[1].slice()];
  const t = stored.t.slice();
  const v = stored.v.slice();
  const last = t.length ? t[t.length - 1] : -Infinity;
  for (let i = 0; i < live[0].length; i++)
    if (live[0][i] > last && live[1][i] !== null) { t.push(live[0][i]); v.push(live[1][i]); }
  return [t, v];
}

function renderPlot() {
  const e = selected;
  if (!e || !plotAttr) return;
  loadArchive(e);
  const data = plotData(e, plotAttr);
  if (!plot) {
    plot = new uPlot({
      width: $('plot').clientWidth || 320, height: 150,
      // Drag across the plot to zoom in, double-click to zoom out again.
      legend: { show: false }, cursor: { drag: { x: true, y: false } },
      scales: { x: { time: true } },
      axes: [{ stroke: '#8b98a9', grid: { stroke: '#1c2430' } }, { stroke: '#8b98a9', grid: { stroke: '#1c2430' }, size: 50 }],
      series: [{}, { label: plotAttr, stroke: '#4cc9f0', width: 2, points: { show: true, size: 4 } }],
    }, data, $('plot'));
  } else plot.setData(data);
}

function fmt(v) {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
}

const SEVERITY = { critical: 'high', warning: 'medium', info: 'low' };
const shortName = (urn) => urn.startsWith('city:') ? 'whole city' : urn.split(':').slice(2, 4).join(':');

function renderAlerts() {
  const list = model.alertList;
  $('alerts-count').textContent = model.openAlerts;
  $('fig-alerts').textContent = model.openAlerts;
  $('alerts').innerHTML = list.slice(0, 60).map((a) => `<li class="sev-${SEVERITY[a.severity] || 'medium'} st-${a.status}" data-urn="${escape(a.entity)}" title="${escape(a.why)}">`
    + `<b>${escape(a.text || a.kind)}</b><span>${escape(shortName(a.entity))} · ${escape(a.rule)} · ${a.status}`
    + `${a.acknowledgedBy ? ` by ${escape(a.acknowledgedBy)}` : ''}`
    + `${a.audience ? ` · for ${escape(a.audience.split(',').join(', '))}` : ''}`
    + `${a.outcome ? ` · outcome: ${escape(a.outcome)} (${escape(a.outcomeBy)})` : ''}</span>`
    + `${a.status === 'raised' || a.status === 'cleared' ? `<button class="ack" data-id="${a.id}">acknowledge</button>` : ''}`
    // A recommended action (it names who should act) closes with how it went.
    + `${a.audience && !a.outcome ? OUTCOMES.map(([o, label]) => `<button class="outcome" data-id="${a.id}" data-outcome="${o}">${label}</button>`).join('') : ''}</li>`).join('')
    || `<li class="note">${escape(operationsNote || 'No alerts.')}</li>`;
  for (const li of $('alerts').querySelectorAll('li[data-urn]'))
    li.onclick = () => { const e = model.entities.get(li.dataset.urn); if (!e) return; select(e); map.panTo(e.latlngs[0]); };
  for (const b of $('alerts').querySelectorAll('button.ack'))
    b.onclick = (ev) => { ev.stopPropagation(); acknowledge(b.dataset.id); };
  for (const b of $('alerts').querySelectorAll('button.outcome'))
    b.onclick = (ev) => { ev.stopPropagation(); reportOutcome(b.dataset.id, b.dataset.outcome); };
  $('actions').innerHTML = model.advice.map((a) => `<li title="${escape(a.why)}"><b>${escape(a.text || a.recommendation)}</b>`
    + `<span>${escape(a.recommendation)} for ${escape(a.audience)} · ${escape(shortName(a.entity))}`
    + `${a.entities.length ? ` · ${a.entities.length} entit${a.entities.length > 1 ? 'ies' : 'y'}: ${a.entities.slice(0, 6).map(shortName).map(escape).join(', ')}${a.entities.length > 6 ? ', ...' : ''}` : ''}`
    + `${a.routeLengthM ? ` · route ${(a.routeLengthM / 1000).toFixed(1)} km` : ''}</span></li>`).join('')
    || '<li class="note">Nothing to do right now.</li>';
}

// Alerts and advice come from the twin's rules (GET /api/alerts), with the
// page's token; acknowledging needs a token with an operating role.
const pageParams = new URLSearchParams(location.search);
const tokenQuery = pageParams.get('token') ? `?token=${encodeURIComponent(pageParams.get('token'))}` : '';
let operationsNote = '';
async function pollOperations() {
  try {
    const res = await fetch(`/api/alerts${tokenQuery}`);
    if (res.ok) {
      operationsNote = '';
      model.setOperations(await res.json());
    } else {
      const body = await res.json().catch(() => ({}));
      operationsNote = res.status === 404 ? 'No rules run on this server.' : body.detail || `alerts: HTTP ${res.status}`;
      model.setOperations({ alerts: [], advice: [], open: 0 });
    }
  } catch (e) {
    operationsNote = `alerts: ${e}`;
  }
  document.body.dataset.operations = 'polled';
  alertsDirty = true;
  schedule();
}
const OUTCOMES = [['done', 'done'], ['not_done', 'not done']];
// Reports how acting on a recommended action went (the server closes it
// and audits who said so); needs an operator, emergency or admin token.
async function reportOutcome(id, outcome) {
  const res = await fetch(`/api/alerts/${id}/outcome${tokenQuery}`, {
    method: 'POST', body: JSON.stringify({ outcome }),
  });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    $('notice').hidden = false;
    $('notice').textContent = `Outcome not recorded: ${body.detail || `HTTP ${res.status}`}`;
    setTimeout(() => { $('notice').hidden = true; }, 5000);
  }
  pollOperations();
}
async function acknowledge(id) {
  const res = await fetch(`/api/alerts/${id}/ack${tokenQuery}`, { method: 'POST' });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    $('notice').hidden = false;
    $('notice').textContent = `Not acknowledged: ${body.detail || `HTTP ${res.status}`}`;
    setTimeout(() => { $('notice').hidden = true; }, 5000);
  }
  pollOperations();
}
pollOperations();
setInterval(pollOperations, 1000);

// What-if runs of the server (whatif.js), with their congested roads
// drawn over the live view's own geometry.
// Only a node of a cluster shows the badge (its /api/status says so).
const clusterBadge = new ClusterBadge({ element: $('cluster'), tokenQuery });
const whatIf = new WhatIfPanel({
  map,
  tokenQuery,
  latlngsOf(urn) {
    const e = model.entities.get(urn);
    return e && e.kind === 'road_segment' && e.latlngs ? e.latlngs : null;
  },
  onResize() { map.invalidateSize(); },
});

// Layer switches.
for (const l of LAYERS) {
  const id = `toggle-${l.name}`;
  const row = document.createElement('label');
  row.className = 'toggle';
  row.innerHTML = `<input type="checkbox" id="${id}" checked> ${l.label} <span class="n" id="n-${l.name}">0</span>`;
  $('layers').appendChild(row);
  row.querySelector('input').onchange = (ev) => {
    if (ev.target.checked) l.group.addTo(map);
    else map.removeLayer(l.group);
  };
}

// Redraws are batched to one per animation frame.
let dirty = new Set();
let alertsDirty = false;
let frameAsked = false;
function schedule() {
  if (frameAsked) return;
  frameAsked = true;
  requestAnimationFrame(() => {
    frameAsked = false;
    for (const e of dirty) draw(e);
    if (selected && dirty.has(selected)) { renderDetails(); }
    dirty = new Set();
    if (alertsDirty) { renderAlerts(); alertsDirty = false; }
  });
}

let changesInWindow = 0;
setInterval(() => {
  $('fig-rate').textContent = changesInWindow;
  changesInWindow = 0;
  if (model.latestTime) $('fig-simtime').textContent = new Date(model.latestTime).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}, 1000);

let fitted = false;
let live = false; // snapshot states are not changes
const params = new URLSearchParams(location.search);
connect({
  format: params.get('format') === 'json' ? 'json' : 'proto',
  // `/?token=<secret>` opens the page for a token of a server run with
  // --access (browsers cannot set headers on a WebSocket); `tenant=` picks
  // whose data, by default the token's own.
  query: [...params].filter(([k]) => ['kinds', 'bbox', 'token', 'tenant'].includes(k)),
  onHello(hello) {
    $('who').textContent = hello.principal ? `· ${hello.principal}` : '';
  },
  onLayout(layout) {
    for (const l of LAYERS) l.group.clearLayers();
    selection.clearLayers();
    selected = null;
    live = false;
    model.setLayout(layout);
    $('city').textContent = layout.city;
    $('fig-entities').textContent = model.entities.size.toLocaleString();
    for (const l of LAYERS) $(`n-${l.name}`).textContent = [...model.entities.values()].filter((e) => l.kinds.includes(e.kind)).length;
    for (const e of model.entities.values()) draw(e);
    whatIf.layer.redraw();
    if (!fitted) {
      const [[w, s], [e, n]] = layout.bounds;
      map.fitBounds([[s, w], [n, e]], { padding: [20, 20] });
      fitted = true;
    }
    document.body.dataset.layout = 'ready';
  },
  onStates(states) {
    for (const e of model.apply(states)) dirty.add(e);
    if (live) changesInWindow += states.length;
    schedule();
  },
  onSnapshotEnd() { live = true; document.body.dataset.snapshot = 'done'; },
  onStatus(status, why) {
    const c = $('conn');
    c.className = `conn ${status}`;
    c.querySelector('span').textContent = status === 'live' ? 'live' : status === 'refused' ? 'refused' : why || status;
    const notice = $('notice');
    notice.hidden = status !== 'refused';
    if (status === 'refused') {
      notice.textContent = `The server refused this view: ${why}`;
      document.body.dataset.refused = why;
    }
  },
});

// For tests and the console: read-only views of what the page shows.
window.citytwin = {
  model,
  map,
  screenPoint(urn) {
    const e = model.entities.get(urn);
    // A segment is clicked halfway along its first piece.
    const [a, b] = [L.latLng(e.latlngs[0]), L.latLng(e.latlngs[Math.min(1, e.latlngs.length - 1)])];
    const p = map.latLngToContainerPoint([(a.lat + b.lat) / 2, (a.lng + b.lng) / 2]);
    const r = map.getContainer().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  },
  colorOf(urn) { return model.entities.get(urn).color; },
  // The what-if panel's choice and how many run roads it drew.
  whatIf() { return whatIf.inspect(); },
  select(urn) { select(model.entities.get(urn) || null); },
  // Points in the details plot, and the span of its time axis in seconds.
  plotPoints() { return plot ? plot.data[0].length : 0; },
  plotSpan() { return plot && plot.data[0].length ? plot.data[0][plot.data[0].length - 1] - plot.data[0][0] : 0; },
  // Painted pixels on a layer's canvas: 0 once the layer is hidden.
  layerPixels(name) {
    const canvas = document.querySelector(`.layer-${name} canvas`);
    if (!canvas) return 0;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  },
};
