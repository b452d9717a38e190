"""Seeded sample tables for the AutoML lessons: customer churn (classification) and house prices (regression).

The rows follow a known rule plus noise, so a good model is measurably better than a naive baseline.
"""

from __future__ import annotations

import csv
import io
import math
import random

CONTRACTS = ("month-to-month", "one-year", "two-year")
INTERNET = ("fiber", "dsl", "none")
DISTRICTS = ("centre", "riverside", "suburbs", "outskirts")


def churn_csv(rows: int = 1200, seed: int = 7) -> str:
    """CSV text: ``tenure_months, monthly_charges, contract, internet, support_calls, churned`` (yes/no)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["tenure_months", "monthly_charges", "contract", "internet", "support_calls", "churned"])
    for _ in range(rows):
        tenure = rng.randint(1, 72)
        contract = rng.choices(CONTRACTS, weights=(5, 3, 2))[0]
        internet = rng.choices(INTERNET, weights=(4, 4, 2))[0]
        charges = round(
            20 + (45 if internet == "fiber" else 25 if internet == "dsl" else 0) + rng.uniform(0, 40), 2
        )
        calls = min(9, int(rng.expovariate(0.7)))
        score = (
            -0.06 * tenure
            + 0.03 * (charges - 60)
            + {"month-to-month": 1.2, "one-year": -0.4, "two-year": -1.6}[contract]
            + 0.45 * calls
            + rng.gauss(0, 0.8)
        )
        churned = "yes" if 1 / (1 + math.exp(-score)) > 0.5 else "no"
        writer.writerow([tenure, charges, contract, internet, calls, churned])
    return out.getvalue()


def house_prices_csv(rows: int = 1200, seed: int = 11) -> str:
    """CSV text: ``area_m2, rooms, district, age_years, price_k`` (thousands)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["area_m2", "rooms", "district", "age_years", "price_k"])
    for _ in range(rows):
        area = round(rng.uniform(30, 220), 1)
        rooms = max(1, min(8, int(area / 28 + rng.gauss(0, 0.8))))
        district = rng.choice(DISTRICTS)
        age = rng.randint(0, 90)
        per_m2 = {"centre": 6.5, "riverside": 5.0, "suburbs": 3.6, "outskirts": 2.4}[district]
        price = area * per_m2 * (1 - 0.003 * age) + 12 * rooms + rng.gauss(0, 40)
        writer.writerow([area, rooms, district, age, round(max(price, 20.0), 1)])
    return out.getvalue()


def shape_images(per_label: int = 8, seed: int = 3, side: int = 160) -> dict[str, list[bytes]]:
    """PNG pictures of ``circle``, ``square`` and ``triangle`` shapes in random colours, sizes and places."""
    import cv2
    import numpy as np

    rng = random.Random(seed)  # noqa: S311 - reproducible sample data
    pictures: dict[str, list[bytes]] = {"circle": [], "square": [], "triangle": []}
    for label, found in pictures.items():
        for _ in range(per_label):
            background = [rng.randint(150, 255) for _ in range(3)]
            image = np.full((side, side, 3), background, dtype=np.uint8)
            colour = tuple(rng.randint(0, 120) for _ in range(3))
            size = rng.randint(side // 5, side // 3)
            x, y = rng.randint(size, side - size), rng.randint(size, side - size)
            if label == "circle":
                cv2.circle(image, (x, y), size, colour, -1)
            elif label == "square":
                cv2.rectangle(image, (x - size, y - size), (x + size, y + size), colour, -1)
            else:
                points = np.array([(x, y - size), (x - size, y + size), (x + size, y + size)], dtype=np.int32)
                cv2.fillPoly(image, [points], colour)
            ok, encoded = cv2.imencode(".png", image)
            if not ok:
                raise RuntimeError("OpenCV could not encode a PNG")
            found.append(encoded.tobytes())
    return pictures


_GOOD = ("great", "excellent", "loved", "fantastic", "reliable", "fast", "comfortable", "perfect")
_BAD = ("awful", "broken", "slow", "terrible", "refund", "disappointing", "flimsy", "useless")
_NEUTRAL = ("the", "box", "arrived", "on", "tuesday", "colour", "blue", "size", "medium", "order", "item")


def reviews_csv(rows: int = 1200, seed: int = 5) -> str:
    """CSV text: ``review, sentiment`` (positive/negative), words drawn with some noise."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["review", "sentiment"])
    for _ in range(rows):
        positive = rng.random() < 0.5
        main, other = (_GOOD, _BAD) if positive else (_BAD, _GOOD)
        words = rng.choices(_NEUTRAL, k=6) + rng.choices(main, k=2) + rng.choices(other, k=rng.random() < 0.2)
        rng.shuffle(words)
        writer.writerow([" ".join(words), "positive" if positive else "negative"])
    return out.getvalue()
