"""Decision services after their retirement: anomaly detection with the spectral residual, offline.

Microsoft's "Decision" family of Azure AI services is gone or going (dates from Microsoft's docs):

* **Anomaly Detector** — no new resources since 20 September 2023; the service is retired on
  1 October 2026 (https://learn.microsoft.com/azure/ai-services/anomaly-detector/).
* **Personalizer** — no new resources since 20 September 2023; retired on 1 October 2026
  (https://learn.microsoft.com/azure/ai-services/personalizer/).
* **Content Moderator** — deprecated in February 2024, retired by February 2027; its successor is
  **Azure AI Content Safety** (https://learn.microsoft.com/azure/ai-services/content-moderator/), taught with
  ``azure-ai-contentsafety`` in notebook 02.

Anomaly Detector's univariate API rested on the **spectral residual** (SR) of Ren et al., "Time-Series
Anomaly Detection Service at Microsoft", KDD 2019 (https://arxiv.org/abs/1906.03821). The method is open,
so this module implements it with numpy/scipy and keeps the API's two modes and outputs:

* ``detect_entire_series`` (the API's batch ``entire`` mode) and ``detect_last_point`` (streaming);
* ``sensitivity`` 0–99 (higher: narrower margins, more anomalies), ``max_anomaly_ratio``;
* per point ``expected_value``, ``upper_margin``/``lower_margin``, ``is_anomaly``,
  ``is_positive_anomaly``/``is_negative_anomaly``, and the SR ``score``.

SR (paper, §4.1; the level and linear trend removed first, so the zero frequency does not swamp the
spectrum): append ``m`` points extrapolated from the average slope of the last ones (so the last real
point is not at the edge), take the FFT, the log amplitude ``L`` minus its moving average ``A`` (window
``q``) is the spectral residual; back through the inverse FFT with the original phase it gives the saliency
map ``S``, whose relative excess over its local average, ``(S - mean_z(S)) / mean_z(S)``, is the score.
A point is an anomaly when its score passes the sensitivity's threshold **and** its value lies outside the
expected band (the neighbours' median-filtered mean ± k·robust spread): the outputs agree with each other.
Anomaly Detector also ran a CNN on the saliency map (SR-CNN) and seasonal decomposition; neither is here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from multi_cloud.core.errors import InvalidArgument

#: a series of values: a list of floats or a 1-D numpy array
Series = Sequence[float] | np.ndarray

#: the API's limits: 12 to 8,640 points per request
MIN_POINTS = 12
MAX_POINTS = 8640
DEFAULT_SENSITIVITY = 95
DEFAULT_MAX_ANOMALY_RATIO = 0.25


@dataclass(frozen=True)
class PointResult:
    """One point's answer, named as the API named its fields."""

    value: float
    expected_value: float
    upper_margin: float
    lower_margin: float
    score: float
    is_anomaly: bool
    is_positive_anomaly: bool
    is_negative_anomaly: bool


def spectral_residual_saliency(values: Series, *, mag_window: int = 3) -> np.ndarray:
    """The saliency map ``S`` of the series (same length): large where the series does the unexpected."""
    series = np.asarray(values, dtype=float)
    spectrum = np.fft.fft(series)
    amplitude = np.abs(spectrum)
    amplitude[amplitude < 1e-8] = 1e-8
    log_amplitude = np.log(amplitude)
    log_amplitude[0] = (log_amplitude[1] + log_amplitude[-1]) / 2  # the removed level: no residual there
    kernel = np.ones(mag_window) / mag_window
    averaged = np.convolve(log_amplitude, kernel, mode="same")
    residual = log_amplitude - averaged
    saliency: np.ndarray = np.abs(np.fft.ifft(np.exp(residual + 1j * np.angle(spectrum))))
    return saliency


def extend_series(values: Series, *, look_back: int = 5, extension: int = 5) -> np.ndarray:
    """The series plus ``extension`` points extrapolated from the mean slope of its last ``look_back``."""
    series = np.asarray(values, dtype=float)
    look_back = min(look_back, len(series) - 1)
    last = series[-1]
    slopes = [(last - series[-1 - i]) / i for i in range(1, look_back + 1)]
    estimate = series[-1 - look_back] + float(np.mean(slopes)) * look_back
    return np.concatenate([series, np.full(extension, estimate)])


def spectral_residual_scores(
    values: Series, *, mag_window: int = 3, score_window: int = 21, history_only: bool = False
) -> np.ndarray:
    """The SR score of each point: the saliency's relative excess over its local (trailing) mean.

    ``history_only`` extrapolates the appended points from the series without its last point, so a spike
    at the very end is not copied into its own extension (what :func:`detect_last_point` needs).
    """
    if history_only:
        future = extend_series(values[:-1])[len(values) - 1 :]
        extended = np.concatenate([np.asarray(values, dtype=float), future])
    else:
        extended = extend_series(values)
    positions = np.arange(len(extended))
    extended = extended - np.polyval(np.polyfit(positions, extended, 1), positions)  # level and trend out
    saliency = spectral_residual_saliency(extended, mag_window=mag_window)[: len(values)]
    padded = np.concatenate([np.full(score_window - 1, saliency[0]), saliency])
    local_mean = np.convolve(padded, np.ones(score_window) / score_window, mode="valid")
    local_mean[local_mean < 1e-8] = 1e-8
    scores: np.ndarray = (saliency - local_mean) / local_mean
    return scores


def expected_band(values: Series, sensitivity: int) -> tuple[np.ndarray, np.ndarray]:
    """``(expected values, margin)``: each point's neighbours (3 a side, median-filtered so a spike does not
    pull them) averaged, and k(sensitivity) × the robust spread (1.4826 × MAD) of the series around it."""
    from scipy.ndimage import median_filter

    series = np.asarray(values, dtype=float)
    smooth = median_filter(series, size=5, mode="reflect")
    padded = np.pad(smooth, 3, mode="edge")
    expected: np.ndarray = np.convolve(padded, np.array([1, 1, 1, 0, 1, 1, 1]) / 6, mode="valid")
    deviation = np.abs(series - expected)
    spread = 1.4826 * float(np.median(deviation)) or float(np.std(series)) or 1.0
    margin = np.full(len(series), _margin_factor(sensitivity) * spread)
    return expected, margin


def _margin_factor(sensitivity: int) -> float:
    """k: 1.5 robust deviations at sensitivity 99, 2.3 at the default 95, 21.3 at 0."""
    return 1.5 + (99 - sensitivity) * 0.2


def _score_threshold(sensitivity: int) -> float:
    """The SR score a point must reach: 1.0 at sensitivity 99, 2.0 at the default 95, 25.75 at 0."""
    return 1.0 + (99 - sensitivity) * 0.25


def _check(values: Series, sensitivity: int, max_anomaly_ratio: float) -> np.ndarray:
    series = np.asarray(values, dtype=float)
    if series.ndim != 1 or not MIN_POINTS <= len(series) <= MAX_POINTS:
        raise InvalidArgument(
            f"the series needs {MIN_POINTS} to {MAX_POINTS} points (Anomaly Detector's limits); "
            f"it has {len(series)}"
        )
    if not np.all(np.isfinite(series)):
        raise InvalidArgument("the series holds NaN or infinite values: fill or drop the gaps first")
    if not 0 <= sensitivity <= 99:
        raise InvalidArgument(f"sensitivity must be between 0 and 99, not {sensitivity}")
    if not 0 < max_anomaly_ratio < 0.5:
        raise InvalidArgument(f"max_anomaly_ratio must be in (0, 0.5), not {max_anomaly_ratio}")
    return series


def detect_entire_series(
    values: Series,
    *,
    sensitivity: int = DEFAULT_SENSITIVITY,
    max_anomaly_ratio: float = DEFAULT_MAX_ANOMALY_RATIO,
) -> list[PointResult]:
    """Batch detection over the whole series (the API's ``entire`` mode): one result per point."""
    series = _check(values, sensitivity, max_anomaly_ratio)
    scores = spectral_residual_scores(series)
    expected, margin = expected_band(series, sensitivity)
    outside = np.abs(series - expected) > margin
    flagged = (scores >= _score_threshold(sensitivity)) & outside
    allowed = int(max_anomaly_ratio * len(series))
    if int(flagged.sum()) > allowed:  # keep the highest scores only
        keep = np.argsort(-np.where(flagged, scores, -np.inf))[:allowed]
        flagged = np.zeros(len(series), dtype=bool)
        flagged[keep] = True
    return [
        PointResult(
            value=float(series[i]),
            expected_value=float(expected[i]),
            upper_margin=float(margin[i]),
            lower_margin=float(margin[i]),
            score=float(scores[i]),
            is_anomaly=bool(flagged[i]),
            is_positive_anomaly=bool(flagged[i] and series[i] > expected[i]),
            is_negative_anomaly=bool(flagged[i] and series[i] < expected[i]),
        )
        for i in range(len(series))
    ]


def detect_last_point(
    values: Series,
    *,
    sensitivity: int = DEFAULT_SENSITIVITY,
) -> PointResult:
    """Streaming detection: is the newest point an anomaly, given the ones before it?

    The expected value is forecast from the points before it only (a straight line through the last six,
    one step ahead), so a spike at the end cannot hide in its own baseline.
    """
    series = _check(values, sensitivity, DEFAULT_MAX_ANOMALY_RATIO)
    score = float(spectral_residual_scores(series, history_only=True)[-1])
    history = series[:-1]
    _, margin = expected_band(history, sensitivity)
    recent = history[-6:]
    expected = float(np.polyval(np.polyfit(np.arange(len(recent)), recent, 1), len(recent)))
    band = float(margin[-1])
    last = float(series[-1])
    anomaly = score >= _score_threshold(sensitivity) and abs(last - expected) > band
    return PointResult(
        value=last,
        expected_value=expected,
        upper_margin=band,
        lower_margin=band,
        score=score,
        is_anomaly=anomaly,
        is_positive_anomaly=anomaly and last > expected,
        is_negative_anomaly=anomaly and last < expected,
    )
