#!/usr/bin/env python3
"""Prints streams of a citytwin archive segment, decoded with h5py and
numpy only, as adapters/archive/README.md describes the layout: one line
"time value" per sample (ms since the epoch, Python's shortest repr).
With several streams, each one's lines follow a line "# ENTITY QUANTITY".
Exits 1 if a stream is missing, 77 if h5py or numpy is not installed.

usage: read_segment.py FILE ENTITY QUANTITY [ENTITY QUANTITY]...
"""
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:
    print(f"read_segment.py: {e}", file=sys.stderr)
    sys.exit(77)


def read_stream(f, entity, quantity):
    """The stream's times and values as numpy arrays, None if absent."""
    s = f["streams"]
    rows = np.flatnonzero((s["entity"].asstr()[:] == entity)
                          & (s["quantity"].asstr()[:] == quantity))
    if len(rows) == 0:
        return None
    i = rows[0]
    o, n, k = int(s["offset"][i]), int(s["count"][i]), int(s["encoding"][i])
    t = np.cumsum(f["samples/time"][o:o + n])
    v = f["samples/value"][o:o + n]
    if k >= 0:
        v = np.cumsum(v) / 10.0**k
    else:
        v = np.bitwise_xor.accumulate(v.view(np.uint64)).view(np.float64)
    return t, v


def main(path, names):
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "citytwin-archive-segment"
        assert f.attrs["version"] == 1
        for entity, quantity in zip(names[::2], names[1::2]):
            stream = read_stream(f, entity, quantity)
            if stream is None:
                print(f"no stream {entity} {quantity}", file=sys.stderr)
                return 1
            if len(names) > 2:
                print("#", entity, quantity)
            for time, value in zip(*stream):
                print(int(time), repr(float(value)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 4 or len(sys.argv) % 2 != 0:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
