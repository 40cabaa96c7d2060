"""Generates the NYC-taxi-like trips of the taxi-tip example, deterministically (seeded).

Writes train/taxi-tip-train.csv (with the label `tipAmount`) and data/taxi-tip-01.csv ...
data/taxi-tip-10.csv (scoring input, without the label, with a `tripId` first: the file's number
and the trip's, `0100001`, a key for pass-through columns). Re-run from the repository root:
    /usr/bin/python3 examples/taxi-tip/train/generate_data.py
"""

from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).resolve().parent.parent
COLUMNS = ["fareAmount", "paymentType", "passengerCount", "tripDistance", "tripTimeSecs"]
CREDIT_CARD, CASH, NO_CHARGE, DISPUTE = 1, 2, 3, 4
TRAIN_ROWS = 4000
SCORING_FILES = 10
SCORING_ROWS = range(200, 401)


def trips(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """One row per trip; fares follow the NYC meter (base + per mile + per minute in traffic)."""
    distance = np.clip(rng.lognormal(mean=0.75, sigma=0.75, size=n), 0.1, 40.0).round(2)
    speed_mph = np.clip(rng.normal(loc=12.0, scale=4.0, size=n) + 0.25 * distance, 5.0, 45.0)
    seconds = np.maximum(60, np.round(distance / speed_mph * 3600 + rng.normal(0, 60, n))).astype(np.int64)
    slow_minutes = np.maximum(0.0, seconds / 60 - distance / 12.0 * 60) * 0.5
    fare = 2.5 + 2.5 * distance + 0.5 * slow_minutes + rng.choice([0.0, 0.5, 1.0], size=n, p=[0.5, 0.3, 0.2])
    fare = np.round(fare * 2) / 2
    payment = rng.choice([CREDIT_CARD, CASH, NO_CHARGE, DISPUTE], size=n, p=[0.68, 0.29, 0.02, 0.01])
    passengers = rng.choice([1, 2, 3, 4, 5, 6], size=n, p=[0.70, 0.14, 0.05, 0.03, 0.05, 0.03])
    return {
        "fareAmount": fare,
        "paymentType": payment.astype(np.int64),
        "passengerCount": passengers.astype(np.int64),
        "tripDistance": distance,
        "tripTimeSecs": seconds,
    }


def tips(rng: np.random.Generator, trip: dict[str, np.ndarray]) -> np.ndarray:
    """Card tips are a share of the fare (some riders tip nothing); cash tips are rarely recorded."""
    n = trip["fareAmount"].shape[0]
    fare = trip["fareAmount"]
    rate = np.clip(rng.normal(0.18, 0.05, n) + 0.01 * (trip["passengerCount"] - 1), 0.0, 0.35)
    card_tip = np.where(rng.random(n) < 0.1, 0.0, np.maximum(rate * fare, 1.0))
    cash_tip = np.where(rng.random(n) < 0.04, rng.uniform(0.5, 3.0, n), 0.0)
    tip = np.select([trip["paymentType"] == CREDIT_CARD, trip["paymentType"] == CASH], [card_tip, cash_tip], 0.0)
    return np.round(tip, 2)


def write_csv(path: Path, trip: dict[str, np.ndarray], columns: list[str]) -> None:
    def cell(column: str, value: float) -> str:
        if trip[column].dtype.kind == "U":
            return str(value)
        return str(int(value)) if trip[column].dtype == np.int64 else f"{value:.2f}".rstrip("0").rstrip(".")

    n = trip[columns[0]].shape[0]
    lines = [",".join(columns)]
    lines += [",".join(cell(c, trip[c][i]) for c in columns) for i in range(n)]
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    rng = np.random.default_rng(20240917)
    train = trips(rng, TRAIN_ROWS)
    train["tipAmount"] = tips(rng, train)
    write_csv(EXAMPLE / "train" / "taxi-tip-train.csv", train, COLUMNS + ["tipAmount"])
    for index in range(1, SCORING_FILES + 1):
        rows = int(rng.integers(SCORING_ROWS.start, SCORING_ROWS.stop))
        scoring = {"tripId": np.array([f"{index:02d}{row:05d}" for row in range(1, rows + 1)]), **trips(rng, rows)}
        write_csv(EXAMPLE / "data" / f"taxi-tip-{index:02d}.csv", scoring, ["tripId", *COLUMNS])


if __name__ == "__main__":
    main()
