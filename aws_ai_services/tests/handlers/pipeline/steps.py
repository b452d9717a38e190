"""A three-step inference pipeline: standardise features, score with a logistic model, label the scores."""

import json
import math
import os

with open(os.path.join(os.path.dirname(__file__), "model.json")) as f:
    MODEL = json.load(f)


def preprocess(event, context):
    rows = event["rows"]
    if any(len(row) != len(MODEL["means"]) for row in rows):
        raise ValueError(f"every row needs {len(MODEL['means'])} features")
    columns = list(zip(MODEL["means"], MODEL["scales"], strict=True))
    scaled = [[(x - m) / s for x, (m, s) in zip(row, columns, strict=True)] for row in rows]
    return {"features": scaled, "ids": event.get("ids", list(range(len(rows))))}


def predict(event, context):
    scores = []
    for row in event["features"]:
        z = MODEL["bias"] + sum(w * x for w, x in zip(MODEL["weights"], row, strict=True))
        scores.append(1 / (1 + math.exp(-z)))
    return {"ids": event["ids"], "scores": scores}


def postprocess(event, context):
    labels = ["positive" if s >= MODEL["threshold"] else "negative" for s in event["scores"]]
    return {
        "predictions": [
            {"id": i, "label": label, "confidence": round(max(s, 1 - s), 6)}
            for i, label, s in zip(event["ids"], labels, event["scores"], strict=True)
        ],
        "positives": labels.count("positive"),
    }
