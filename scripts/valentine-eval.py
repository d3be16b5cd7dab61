"""valentine's schema matchers on MedTrust's labelled relation data sets (bench/relations/).

For each data set, every left table is matched against every right table (columns named as
registered, sample values as rows) by Cupid, COMA (schema and instances), Similarity
Flooding, the distribution-based matcher and the Jaccard-distance matcher; each matcher's
one-to-one matches are scored against the labelled pairs: `same` pairs alone (what these
matchers look for); pairs of any kind; and relations with their kind (each match taken as a
claim that the columns are the same: right only where the labelled kind is `same`, against
every labelled relation), the figure MedTrust's relations are compared on. Prints one JSON
object per data set.

Usage: valentine-eval.py <data set folder>...
"""

import csv
import json
import sys
from pathlib import Path

import pandas as pd
from valentine import valentine_match
from valentine.algorithms import Coma, Cupid, DistributionBased, JaccardDistanceMatcher, SimilarityFlooding


def read_side(path):
    tables = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            values = [v for v in row["values"].split("|") if v]
            tables.setdefault(row["table"], {})[row["name"]] = values
    frames = {}
    for table, columns in tables.items():
        rows = max((len(v) for v in columns.values()), default=1) or 1
        frames[table] = pd.DataFrame(
            {name: (values + [None] * rows)[:rows] if values else [None] * rows for name, values in columns.items()}
        )
    return frames


def read_truth(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {(r["left"], r["right"]): r["kind"] for r in csv.DictReader(f, delimiter="\t")}


def scores(tp, predicted, actual):
    precision = tp / predicted if predicted else 0.0
    recall = tp / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "truePositives": tp, "predicted": predicted, "actual": actual}


MATCHERS = {
    "cupid": lambda: Cupid(),
    "coma": lambda: Coma(use_instances=True),
    "similarity-flooding": lambda: SimilarityFlooding(),
    "distribution-based": lambda: DistributionBased(),
    "jaccard-distance": lambda: JaccardDistanceMatcher(),
}


def evaluate(folder):
    folder = Path(folder)
    left, right = read_side(folder / "left.tsv"), read_side(folder / "right.tsv")
    truth = read_truth(folder / "truth.tsv")
    same = {pair for pair, kind in truth.items() if kind == "same"}
    out = {"dataSet": folder.name, "matchers": {}}
    for name, make in MATCHERS.items():
        predicted = set()
        try:
            for lt, ldf in left.items():
                for rt, rdf in right.items():
                    names = [f"left:{lt}", f"right:{rt}"]
                    matches = valentine_match([ldf, rdf], make(), names).one_to_one_greedy()
                    for pair, score in matches.items():
                        if score <= 0:
                            continue
                        ends = {pair.source_table: pair.source_column, pair.target_table: pair.target_column}
                        predicted.add((f"{lt}.{ends[names[0]]}", f"{rt}.{ends[names[1]]}"))
        except Exception as e:  # a matcher that cannot run here is reported, not hidden
            out["matchers"][name] = {"error": str(e).splitlines()[0] if str(e) else type(e).__name__}
            continue
        out["matchers"][name] = {
            "same": scores(len(predicted & same), len(predicted), len(same)),
            "anyKind": scores(len(predicted & set(truth)), len(predicted), len(truth)),
            "withKind": scores(len(predicted & same), len(predicted), len(truth)),
        }
    return out


if __name__ == "__main__":
    for folder in sys.argv[1:]:
        print(json.dumps(evaluate(folder), ensure_ascii=False))
