#!/usr/bin/env bash
# Ownership (issue 13): a tenant's admin exports everything the tenant has
# (CSV of every sample, GeoJSON of every entity with its newest values, the
# HDF5 files as they are) and erases it; both are audited. The CSV is
# checked against the segments read with h5py alone, the GeoJSON against
# the city file; an erase is refused while a server holds the tenant.
# usage: export_erase.sh CITYTWIN CITY_FILE
set -u
citytwin=$1 city=$2
source "${0%/*}/../skip.sh"
need tar "apt-get install tar"
need_h5py
work=$(mktemp -d)
log="$work/serve.log"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work" "$log"' EXIT
source "${0%/*}/serve_lib.sh"
archive="$work/archive"
folder="$archive/demo"

# Some history: the synthetic feed for a few seconds, a segment a second,
# then a clean stop (which writes what is left into a last segment).
start_serve "$citytwin" "$city" --archive "$archive" --archive-segment-s 1
sleep 3
stop_serve_cleanly
ls "$folder"/segments/*.h5 >/dev/null 2>&1 || fail "no segments were written"

state() { find "$folder" -type f -printf '%P %s %T@\n' | sort; }
before=$(state)
for format in csv geojson hdf5; do
  "$citytwin" export --archive "$archive" --tenant demo --city "$city" \
    --format "$format" -o "$work/demo.$format" >"$work/export.log" 2>&1 \
    || { cat "$work/export.log"; fail "export as $format failed"; }
  cat "$work/export.log"
done
[ "$(state)" = "$before" ] || fail "an export changed the archive"
"$citytwin" export --archive "$archive" --tenant demo --city "$city" \
  --format csv -o "$work/demo.csv" 2>"$work/err" \
  && fail "an export wrote over a file"
grep -q "exists" "$work/err" || fail "unclear: $(cat "$work/err")"

# CSV: every sample of every segment, each (stream, time) once with the
# newest segment's value, decoded with h5py and the README's layout only.
"$py" - "$folder/segments" "$work/demo.csv" <<'PY' || fail "the CSV does not match the segments"
import csv, datetime, glob, sys
import h5py, numpy as np
stored = {}
files = []
for path in glob.glob(sys.argv[1] + "/*.h5"):
    f = h5py.File(path, "r")
    files.append((int(f.attrs["journal_through"]), path, f))
for _, _, f in sorted(files, key=lambda x: x[:2]):  # newest last: it wins
    s = f["streams"]
    ent, qty = s["entity"].asstr()[:], s["quantity"].asstr()[:]
    times, values = f["samples/time"][:], f["samples/value"][:]
    for i in range(len(ent)):
        o, n, k = int(s["offset"][i]), int(s["count"][i]), int(s["encoding"][i])
        t = np.cumsum(times[o:o + n])
        v = values[o:o + n]
        v = np.cumsum(v) / 10.0**k if k >= 0 else \
            np.bitwise_xor.accumulate(v.view(np.uint64)).view(np.float64)
        for tt, vv in zip(t, v):
            stored[(ent[i], qty[i], int(tt))] = float(vv)
rows = 0
with open(sys.argv[2], newline="") as f:
    r = csv.reader(f)
    assert next(r) == ["entity", "attribute", "time", "value", "unit"]
    last = None
    for entity, attribute, time, value, unit in r:
        rows += 1
        t = datetime.datetime.strptime(time, "%Y-%m-%dT%H:%M:%S.%fZ")
        ms = int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000 + 0.5)
        key = (entity, attribute, ms)
        assert key in stored, f"not in the segments: {key}"
        assert float(value) == stored[key] or value == "nan", \
            f"{key}: CSV {value}, segments {stored[key]}"
        assert last is None or (entity, attribute, ms) > last, f"out of order at {key}"
        last = key
print(f"CSV: {rows} samples, segments (h5py): {len(stored)}")
assert rows == len(stored), f"CSV has {rows} samples, the segments {len(stored)}"
assert rows > 0
PY

# GeoJSON: every entity of the city file, the newest values as the CSV's.
"$py" - "$city" "$work/demo.geojson" "$work/demo.csv" <<'PY' || fail "the GeoJSON does not match the city"
import csv, json, sys
types = {"road_segment": "RoadSegment", "intersection": "Intersection",
         "street_lamp": "StreetLight", "waste_bin": "WasteContainer",
         "traffic_counter": "TrafficCounter", "air_quality": "AirQualitySensor",
         "noise_sensor": "NoiseSensor", "parking_sensor": "ParkingSensor",
         "energy_meter": "EnergyMeter", "camera": "Camera"}
expected = set()
for line in open(sys.argv[1]):
    words = line.split()
    if len(words) >= 2 and words[0] in types:
        expected.add(f"urn:ngsi-ld:{types[words[0]]}:demo:{int(words[1]):06d}")
doc = json.load(open(sys.argv[2]))
assert doc["type"] == "FeatureCollection"
features = {f["id"]: f for f in doc["features"]}
assert len(features) == len(doc["features"]), "an entity appears twice"
assert set(features) == expected, \
    f"missing {len(expected - set(features))}, extra {len(set(features) - expected)}"
for f in doc["features"]:
    assert f["geometry"]["type"] in ("Point", "LineString"), f["id"]
newest = {}
with open(sys.argv[3], newline="") as f:
    for entity, attribute, time, value, unit in list(csv.reader(f))[1:]:
        newest[(entity, attribute)] = (time, value)
checked = 0
for (entity, attribute), (time, value) in newest.items():
    if entity not in features:
        continue
    p = features[entity]["properties"].get(attribute)
    assert p is not None, f"{entity} has no {attribute}"
    assert p["observedAt"] == time, f"{entity} {attribute}: {p['observedAt']} != {time}"
    assert p["value"] is None or p["value"] == float(value), f"{entity} {attribute}"
    checked += 1
print(f"GeoJSON: {len(features)} entities, {checked} newest values as in the CSV")
assert checked > 0
PY

# HDF5: the segments byte for byte, in a tar file.
mkdir "$work/unpacked"
tar -xf "$work/demo.hdf5" -C "$work/unpacked" || fail "the HDF5 export is not a tar file"
for f in "$folder"/segments/*.h5; do
  cmp -s "$f" "$work/unpacked/citytwin-snapshot/archive/segments/${f##*/}" \
    || fail "segment ${f##*/} differs in the HDF5 export"
done

# Erase: refused without the tenant's name twice, and while a server holds
# the tenant; then the whole folder goes, and the audit log stays.
rc=0
"$citytwin" erase --archive "$archive" --tenant demo 2>"$work/err" || rc=$?
[ "$rc" -eq 2 ] || fail "an erase without --confirm exited $rc, not 2"
grep -q -- "--confirm demo" "$work/err" || fail "unclear: $(cat "$work/err")"
start_serve "$citytwin" "$city" --archive "$archive" --archive-segment-s 1
timeout 20 "$citytwin" serve "$city" --host 127.0.0.1 --port 0 \
  --archive "$archive" >"$work/second.log" 2>&1 \
  && fail "a second server opened the same tenant"
grep -q "in_use" "$work/second.log" || fail "unclear: $(cat "$work/second.log")"
rc=0
"$citytwin" erase --archive "$archive" --tenant demo --confirm demo \
  2>"$work/err" || rc=$?
[ "$rc" -eq 2 ] || fail "an erase under a running server exited $rc, not 2"
grep -q "in_use" "$work/err" || fail "unclear: $(cat "$work/err")"
[ -f "$folder/latest.bin" ] || fail "a refused erase deleted files"
stop_serve_cleanly
"$citytwin" erase --archive "$archive" --tenant demo --confirm demo \
  || fail "erase failed"
[ -e "$folder" ] && fail "the tenant's folder is still there"
[ -z "$(ls -A "$archive" | grep -vx audit.log)" ] \
  || fail "erase left: $(ls -A "$archive")"

"$py" - "$archive/audit.log" <<'PY' || { cat "$archive/audit.log"; fail "the audit log is not as expected"; }
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1])]
got = [(x["action"], x["format"], x["result"].split(":")[0]) for x in lines]
want = [("export", "csv", "ok"), ("export", "geojson", "ok"),
        ("export", "hdf5", "ok"), ("export", "csv", "refused"),
        ("erase", "", "refused"), ("erase", "", "refused"), ("erase", "", "ok")]
assert got == want, got
for x in lines:
    assert x["tenant"] == "demo" and x["by"] and x["time"].endswith("Z"), x
assert lines[0]["samples"] > 0 and lines[0]["bytes"] > 0
assert lines[-1]["bytes"] > 0
print(f"audit.log: {len(lines)} lines")
PY
echo "1 passed, 0 failed"
