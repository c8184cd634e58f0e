// The what-if panel's marks on the map: the roads congested at the chosen
// moment of a run, drawn over the live city on a canvas of their own.
// The baseline's congested roads lie underneath as a wide violet halo and
// the run's on top in thick red, so a red road without a halo is new in
// the scenario, red in a halo is congested in both, and a halo alone was
// congested in the baseline only.
import L from 'leaflet';

const BASELINE_STYLE = { color: '#a78bfa', weight: 16, opacity: 0.55, lineCap: 'round' };
const RUN_STYLE = { color: '#ff1f3d', weight: 7, opacity: 0.95, lineCap: 'round' };

export class CongestionLayer {
  // `latlngsOf(urn)`: the drawn geometry of a road segment, or null when
  // the live view does not have it (a token that may not read roads).
  constructor(map, latlngsOf) {
    this.latlngsOf = latlngsOf;
    map.createPane('whatif').classList.add('layer-whatif');
    this.renderer = L.canvas({ pane: 'whatif', padding: 0.2 });
    this.group = L.layerGroup().addTo(map);
    this.roads = { run: [], baseline: [] };
    this.drawn = 0;
  }

  // Draws these roads (URN lists) instead of the previous ones; returns
  // how many of the run's roads are on the map.
  show(runRoads, baselineRoads) {
    this.roads = { run: [...runRoads], baseline: [...baselineRoads] };
    return this.redraw();
  }

  clear() {
    return this.show([], []);
  }

  // Draws again from the live view's geometry, e.g. after a new layout.
  redraw() {
    this.group.clearLayers();
    const opts = { renderer: this.renderer, interactive: false };
    for (const urn of this.roads.baseline) {
      const latlngs = this.latlngsOf(urn);
      if (latlngs) L.polyline(latlngs, { ...opts, ...BASELINE_STYLE }).addTo(this.group);
    }
    this.drawn = 0;
    for (const urn of this.roads.run) {
      const latlngs = this.latlngsOf(urn);
      if (!latlngs) continue;
      L.polyline(latlngs, { ...opts, ...RUN_STYLE }).addTo(this.group);
      this.drawn++;
    }
    return this.drawn;
  }
}
