"""Prints the relation matcher's figures from scripts/bench.sh: its speed, and per labelled
data set its precision, recall and F1 beside valentine's matchers on the same pairs.

Usage: relations-summary.py <match.json> <medtrust-eval.ndjson> <valentine-eval.ndjson>
"""

import json
import sys

KINDS = ["same", "related", "similar-name", "same-name-different-domain", "same-name-different-meaning"]


def prf(s):
    return "{:.2f} / {:.2f} / {:.2f}".format(s["precision"], s["recall"], s["f1"])


def main(match_path, medtrust_path, valentine_path):
    speed = json.load(open(match_path))
    medtrust = {d["dataSet"]: d for d in map(json.loads, open(medtrust_path))}
    valentine = {d["dataSet"]: d for d in map(json.loads, open(valentine_path))}
    print()
    print("Relation matcher ({} threads)".format(speed["threads"]))
    pair, cat = speed["resourcePair"], speed["sourceAgainstCatalog"]
    print("  two resources of {:,} items: {:.2f} s ({:,} candidates)".format(pair["items"], pair["seconds"], pair["candidates"]))
    print("  {:,} items against a catalog of {:,}: {:.2f} s ({:,} candidates)".format(
        cat["sourceItems"], cat["catalogItems"], cat["seconds"], cat["candidates"]))
    for name, ours in medtrust.items():
        print()
        print("  data set {}: precision / recall / F1".format(name))
        per_kind = ours["perKind"]
        for kind in KINDS:
            if kind in per_kind and per_kind[kind]["actual"] + per_kind[kind]["predicted"] > 0:
                print("    MedTrust {:<28} {}  ({} labelled)".format(kind, prf(per_kind[kind]), per_kind[kind]["actual"]))
        print("    MedTrust {:<28} {}".format("any kind", prf(ours["anyKind"])))
        print("    MedTrust {:<28} {}".format("relations with their kind", prf(ours["withKind"])))
        best = {}
        for matcher, theirs in valentine.get(name, {}).get("matchers", {}).items():
            if "error" in theirs:
                print("    valentine {:<27} did not run: {}".format(matcher, theirs["error"]))
                continue
            print("    valentine {:<27} same {}  any kind {}  with kind {}".format(
                matcher, prf(theirs["same"]), prf(theirs["anyKind"]), prf(theirs["withKind"])))
            for metric in ("same", "withKind"):
                if metric not in best or theirs[metric]["f1"] > best[metric][1]:
                    best[metric] = (matcher, theirs[metric]["f1"])
        ours_f1 = {"same": per_kind.get("same", {"f1": 0.0})["f1"], "withKind": ours["withKind"]["f1"]}
        for metric, label in (("withKind", "relations with their kind"), ("same", "`same` alone")):
            if metric in best:
                margin = ours_f1[metric] - best[metric][1]
                print("    F1 of {}: MedTrust {:.2f}, best of valentine {:.2f} ({}): {:+.2f}{}".format(
                    label, ours_f1[metric], best[metric][1], best[metric][0], margin,
                    "" if margin >= 0.1 else " (aim: +0.10, not met)"))


if __name__ == "__main__":
    main(*sys.argv[1:])
