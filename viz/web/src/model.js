// What the page knows about the city: layout, latest states, the values
// seen since page load, and the alerts derived from states.

export const MAX_POINTS = 600; // per entity, since page load

// Alert rules on one state; each gives [key, severity, text] or nothing.
const rules = {
  street_lamp: (a) => a.lamp_fault === 1 && ['fault', 'high', 'lamp reports a fault'],
  waste_bin: (a) => (a.full === 1 || a.fill_level >= 0.9) && ['full', 'medium', `bin ${Math.round((a.fill_level ?? 1) * 100)}% full`],
  road_segment: (a) => a.congestion === 4 && ['jam', 'high', `jammed, ${(a.mean_speed ?? 0).toFixed(0)} km/h`],
  air_quality: (a) => a.caqi_band >= 4 && ['air', 'high', `air quality band ${a.caqi_band}`],
  parking_sensor: (a) => a.full === 1 && ['parking', 'low', 'car park full'],
  noise_sensor: (a) => a.noise_level >= 85 && ['noise', 'medium', `noise ${a.noise_level.toFixed(0)} dB(A)`],
};

export class Model {
  constructor() {
    this.entities = new Map(); // urn -> {id, kind, layout, state, history}
    this.alerts = new Map();   // urn -> {urn, kind, severity, text, since}
    this.changes = 0;
    this.latestTime = 0;
  }

  setLayout(layout) {
    this.entities.clear();
    this.alerts.clear();
    for (const section of ['segments', 'intersections', 'things'])
      for (const item of layout[section])
        this.entities.set(item.id, { id: item.id, kind: item.kind, layout: item, state: null, history: { t: [], values: {} } });
  }

  // Applies states; returns the entities that changed.
  apply(states) {
    const changed = [];
    for (const s of states) {
      const e = this.entities.get(s.id);
      if (!e) continue;
      e.state = s;
      this.changes++;
      this.latestTime = Math.max(this.latestTime, s.updated_ms || 0);
      this.record(e, s);
      this.judge(e);
      changed.push(e);
    }
    return changed;
  }

  record(e, s) {
    const h = e.history;
    h.t.push(Date.now() / 1000);
    for (const [name, value] of Object.entries(s.attributes)) {
      if (!h.values[name]) h.values[name] = new Array(h.t.length - 1).fill(null);
      h.values[name].push(value);
    }
    if (h.t.length > MAX_POINTS) {
      h.t.shift();
      for (const v of Object.values(h.values)) v.shift();
    }
  }

  judge(e) {
    const rule = rules[e.kind];
    const verdict = rule && rule(e.state.attributes);
    if (!verdict) { this.alerts.delete(e.id); return; }
    const [key, severity, text] = verdict;
    const old = this.alerts.get(e.id);
    this.alerts.set(e.id, { urn: e.id, kind: e.kind, key, severity, text, since: old && old.key === key ? old.since : Date.now() });
  }

  // Actions an operator could take now, grouped from the alerts.
  actions() {
    const groups = new Map();
    for (const a of this.alerts.values()) {
      if (!groups.has(a.key)) groups.set(a.key, []);
      groups.get(a.key).push(a.urn);
    }
    const text = {
      full: (n) => `Schedule a collection round for ${n} full bin${n > 1 ? 's' : ''}`,
      fault: (n) => `Send a repair crew to ${n} faulty lamp${n > 1 ? 's' : ''}`,
      jam: (n) => `Review signal timing around ${n} jammed segment${n > 1 ? 's' : ''}`,
      air: (n) => `Issue an air-quality notice for ${n} station area${n > 1 ? 's' : ''}`,
      parking: (n) => `Divert drivers from ${n} full car park${n > 1 ? 's' : ''}`,
      noise: (n) => `Check ${n} noise hot spot${n > 1 ? 's' : ''}`,
    };
    return [...groups].map(([key, urns]) => ({ key, urns, text: text[key](urns.length) }));
  }
}
