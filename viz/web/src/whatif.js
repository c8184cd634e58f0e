// The what-if panel: the server's scenario runs (GET /api/scenarios), one
// run's results beside a baseline run's (GET /api/scenarios/<id>), and a
// time slider that marks on the map the roads congested at that moment
// of both. The page computes no figure: it filters the server's episodes
// by the chosen time. Whatever the routes answer (404 without a scenario
// service, 401/403, no network), the panel says so and the live view
// goes on.
import { ACTIVE_STATUSES, clockAt, compareCongestion, congestedAt, duration, readResults } from './scenario_results.js';
import { actionList, groupsTable, runList, runOptions, summary } from './whatif_tables.js';
import { CongestionLayer } from './whatif_map.js';

const POLL_MS = 2000; // while any run forks or runs
const $ = (id) => document.getElementById(id);
const runKey = (run) => (run ? `${run.id}@${run.submittedAt}` : '');

export class WhatIfPanel {
  // `latlngsOf(urn)`: a drawn road's geometry (CongestionLayer);
  // `tokenQuery`: the page's `?token=...`; `onResize`: the side bar
  // widens while the panel is open.
  constructor({ map, latlngsOf, tokenQuery, onResize }) {
    this.layer = new CongestionLayer(map, latlngsOf);
    this.tokenQuery = tokenQuery;
    this.onResize = onResize;
    this.runs = [];
    this.details = new Map(); // runKey -> a done run with its results (final)
    this.runId = null;
    this.baselineId = null;
    this.t = 0;
    this.shown = { run: null, base: null, key: '' };
    this.timer = null;
    this.listSeq = 0;   // answers to older list requests are dropped
    this.renderSeq = 0; // likewise for renders waiting on results
    this.panel = $('whatif-panel');
    this.panel.addEventListener('toggle', () => this.onToggle());
    $('whatif-refresh').onclick = () => this.refresh();
    $('whatif-apply').onclick = () => this.applyActions();
    $('whatif-run').onchange = (ev) => this.pick(Number(ev.target.value) || null, this.baselineId);
    $('whatif-baseline').onchange = (ev) => this.pick(this.runId, Number(ev.target.value) || null);
    $('whatif-time').oninput = (ev) => this.showTime(Number(ev.target.value));
    $('whatif-runs').onclick = (ev) => {
      const li = ev.target.closest('li[data-id]');
      if (li) this.pick(Number(li.dataset.id), this.baselineId);
    };
    // An action's window starts: show the map at that moment.
    $('whatif-actions').onclick = (ev) => {
      const li = ev.target.closest('li[data-index]');
      const run = this.shown.run;
      if (li && run) this.showTime(run.results.actions[Number(li.dataset.index)].fromS);
    };
  }

  onToggle() {
    document.body.classList.toggle('whatif-open', this.panel.open);
    this.onResize();
    if (this.panel.open) {
      this.refresh();
      return;
    }
    clearTimeout(this.timer);
    this.timer = null;
    this.layer.clear();
  }

  async get(path) {
    const res = await fetch(`${path}${this.tokenQuery}`);
    const body = await res.json().catch(() => ({}));
    return { ok: res.ok, status: res.status, body };
  }

  // Lists the runs again; polls on while any of them forks or runs.
  async refresh() {
    clearTimeout(this.timer);
    this.timer = null;
    const seq = ++this.listSeq;
    let answer;
    try {
      answer = await this.get('/api/scenarios');
    } catch (e) {
      answer = { ok: false, status: 0, body: { detail: `what-if runs: ${e}` } };
    }
    if (seq !== this.listSeq) return;
    if (!answer.ok) {
      this.unavailable(answer.status === 404 ? 'No what-if runs on this server.'
        : answer.body.detail || `what-if runs: HTTP ${answer.status}`);
      return;
    }
    this.runs = Array.isArray(answer.body.runs) ? answer.body.runs : [];
    $('whatif-note').textContent = this.runs.length ? ''
      : 'No what-if runs yet. A planner, operator or admin submits one with POST /api/scenarios (data/scenarios/README.md).';
    if (!this.runs.some((r) => r.id === this.runId)) this.runId = null;
    if (this.runId === null) {
      const newestDone = this.runs.find((r) => r.status === 'done');
      this.runId = newestDone ? newestDone.id : null;
    }
    this.panel.dataset.listed = String(this.runs.length);
    if (this.panel.open && this.runs.some((r) => ACTIVE_STATUSES.includes(r.status)))
      this.timer = setTimeout(() => this.refresh(), POLL_MS);
    await this.render();
  }

  unavailable(message) {
    this.runs = [];
    this.runId = null;
    this.baselineId = null;
    $('whatif-note').textContent = message;
    $('whatif-runs').innerHTML = '';
    $('whatif-pick').hidden = true;
    $('whatif-results').hidden = true;
    this.shown = { run: null, base: null, key: '' };
    this.renderSeq++; // a render still waiting shows nothing
    this.layer.clear();
    this.panel.dataset.listed = '0';
  }

  pick(runId, baselineId) {
    this.runId = runId;
    this.baselineId = baselineId === runId ? null : baselineId;
    this.render();
  }

  // A done run with its results, asked once: they never change. Ids
  // start again at 1 when the server restarts, hence the submission time
  // in the key.
  async load(id) {
    const listed = this.runs.find((r) => r.id === id);
    if (!listed || listed.status !== 'done') return null;
    const cacheKey = runKey(listed);
    if (this.details.has(cacheKey)) return this.details.get(cacheKey);
    const answer = await this.get(`/api/scenarios/${id}`);
    if (!answer.ok) throw new Error(answer.body.detail || `run #${id}: HTTP ${answer.status}`);
    if (!answer.body.results) throw new Error(`run #${id} is done but has no results`);
    const run = { ...answer.body, results: readResults(answer.body.results) };
    this.details.set(cacheKey, run);
    return run;
  }

  async render() {
    const seq = ++this.renderSeq;
    const done = this.runs.filter((r) => r.status === 'done' && r.id !== this.runId);
    if (!done.some((r) => r.id === this.baselineId)) this.baselineId = null;
    $('whatif-runs').innerHTML = runList(this.runs, this.runId);
    $('whatif-run').innerHTML = runOptions(this.runs, this.runId, 'choose a run');
    $('whatif-baseline').innerHTML = runOptions(done, this.baselineId, 'no baseline');
    $('whatif-pick').hidden = this.runs.length === 0;
    let run = null;
    let base = null;
    try {
      [run, base] = await Promise.all([this.load(this.runId), this.load(this.baselineId)]);
    } catch (e) {
      $('whatif-note').textContent = `what-if results: ${e.message || e}`;
    }
    // A newer render, or the panel closed (its marks are off the map).
    if (seq !== this.renderSeq || !this.panel.open) return;
    const listed = this.runs.find((r) => r.id === this.runId);
    $('whatif-status').textContent = run || !listed ? ''
      : listed.status === 'failed' ? `Run #${listed.id} failed: ${listed.error || 'no reason given'}`
        : `Run #${listed.id} is ${listed.status}; its results follow when it is done.`;
    // Results are final: rebuilt only when another pair is chosen.
    const key = `${runKey(run)}:${runKey(base)}`;
    if (key !== this.shown.key) this.showResults(run, base, key);
    if (run) this.showTime(this.t);
  }

  showResults(run, base, key) {
    this.shown = { run, base, key };
    $('whatif-results').hidden = !run;
    if (!run) {
      this.layer.clear();
      return;
    }
    const r = run.results;
    $('whatif-summary').innerHTML = summary(r, base ? base.results : null);
    $('whatif-groups').innerHTML = groupsTable(r, base ? base.results : null);
    $('whatif-actions').innerHTML = actionList(r);
    $('whatif-apply-bar').hidden = !r.actions.some((a) => a.changesTraffic);
    $('whatif-apply-note').textContent = '';
    $('whatif-time').max = String(run.horizonS);
    this.t = Math.min(this.t, run.horizonS);
    $('whatif-baseline-legend').hidden = !base;
    $('whatif-compare-note').textContent = base && base.results.start !== r.start
      ? `The baseline starts at ${base.results.start}, the run at ${r.start}: both are shown at the same time after their start.` : '';
  }

  // Asks the server to run the shown run again with its traffic-changing
  // actions in effect (a planner's, operator's or admin's token), then
  // shows the new run beside this one once it is done.
  async applyActions() {
    const { run } = this.shown;
    if (!run) return;
    const note = $('whatif-apply-note');
    note.textContent = 'asking the server…';
    let answer;
    try {
      const res = await fetch(`/api/scenarios/${run.id}/apply${this.tokenQuery}`, { method: 'POST', body: '{}' });
      answer = { ok: res.ok, status: res.status, body: await res.json().catch(() => ({})) };
    } catch (e) {
      answer = { ok: false, status: 0, body: { detail: String(e) } };
    }
    if (!answer.ok) {
      note.textContent = `Not run again: ${answer.body.detail || `HTTP ${answer.status}`}`;
      return;
    }
    note.textContent = `Run #${answer.body.id} under way; it shows here beside #${run.id} when done.`;
    this.runId = answer.body.id;
    this.baselineId = run.id;
    await this.refresh();
  }

  // Marks the roads congested `t` seconds after the start of the run (and
  // of the baseline) and counts them.
  showTime(t) {
    const { run, base } = this.shown;
    if (!run) return;
    this.t = t;
    const runRoads = congestedAt(run.results, t);
    const baseRoads = base ? congestedAt(base.results, t) : new Set();
    const split = compareCongestion(runRoads, baseRoads);
    const drawn = this.layer.show(runRoads, baseRoads);
    $('whatif-time').value = String(t);
    $('whatif-clock').textContent = `${clockAt(run.results.start, t)} (+${duration(t)})`;
    $('whatif-congested-count').textContent = String(runRoads.size);
    $('whatif-new-count').textContent = String(split.runOnly.length);
    $('whatif-both-count').textContent = String(split.both.length);
    $('whatif-baseline-only-count').textContent = String(split.baselineOnly.length);
    const notes = [];
    if (drawn < runRoads.size) notes.push(`${runRoads.size - drawn} of them are not on this map (the page's token may not read them).`);
    const r = run.results;
    if (r.congestionEpisodes > r.congestion.length)
      notes.push(`The server lists the ${r.congestion.length} longest of ${r.congestionEpisodes} congestion episodes; only those are shown.`);
    $('whatif-map-note').textContent = notes.join(' ');
    this.panel.dataset.shown = `${run.id}:${base ? base.id : ''}:${t}`;
  }

  // For tests and the console.
  inspect() {
    return { runId: this.runId, baselineId: this.baselineId, t: this.t, drawnRoads: this.layer.drawn };
  }
}
