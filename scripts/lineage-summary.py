#!/usr/bin/env python3
"""Prints the summary of `medtrust-bench lineage` (its JSON figures, the first file given),
with how long the node took to build the blocks meanwhile (its log, the second file)."""
import json
import re
import sys

f = json.load(open(sys.argv[1]))
print()
print("Lineage benchmark: {runs:,} runs, {edges:,} graph edges ({palletEdges:,} as the pallet counts"
      " them), {graphAssets:,} assets, {calls:,} calls".format(**f))
print("  ingest: {:,.0f} graph edges/s ({:,.0f} pallet edges/s), {:.1f} s from the first submission"
      " to the last finality".format(f["ingestEdgesPerSecond"], f["ingestPalletEdgesPerSecond"],
                                     f["ingestSeconds"]))
for direction, what in (("ancestors", "random assets"), ("descendants", "random assets"),
                        ("hubDescendants", "the 20 assets with the most children")):
    w = f[direction]
    print(("  {:<11} depth {depth}, {queries} walks from " + what + " (nodes median {nodesMedian}, p95"
          " {nodesP95}, max {nodesMax}):\n"
          "              JSON-RPC over HTTP: median {httpMedianMs:.2f} ms, p95 {httpP95Ms:.2f} ms, max {httpMaxMs:.2f} ms\n"
          "              the client library (WebSocket): median {medianMs:.2f} ms, p95 {p95Ms:.2f} ms, max {maxMs:.2f} ms\n"
          "              in-memory BFS: median {inMemoryBfsMedianMs:.3f} ms, p95 {inMemoryBfsP95Ms:.3f} ms"
          ).format(direction.replace("hubDescendants", "descendants"), **w))
v = f["verify"]
print("  verify: asset {asset} with {ancestors:,} ancestors, {certificatesChecked} certificates"
      " checked ({verdict}) in {seconds:.3f} s".format(**v))

if len(sys.argv) > 2:
    built = [(int(m.group(1)), int(m.group(2))) for m in
             re.finditer(r"Prepared block for proposing at \d+ \((\d+) ms\).*?extrinsics_count: (\d+)",
                         open(sys.argv[2], errors="replace").read())]
    busy = sorted(ms for ms, count in built if count > 1)
    if busy:
        print("  blocks built meanwhile with transactions: {}; build time median {} ms, max {} ms"
              " (the slot is 3,000 ms)".format(len(busy), busy[len(busy) // 2], busy[-1]))
