"""Agreement of per-image feature tables (CSV files of the vessel-morphology
tool) with a reference table, e.g. a model's or a second observer's
measurements against the first observer's
(tools/analysis_tools/morphology_agreement.py)."""
import csv
from typing import Dict, List, Sequence

import numpy as np

FeatureTable = Dict[str, Dict[str, float]]
#: Columns of tools/infer.py's table that hold no measurement.
TEXT_COLUMNS = ('path', 'stem', 'status', 'reason')


def read_feature_csv(path: str) -> FeatureTable:
    """Read a feature CSV: one of the vessel-morphology tool (images named
    in ``image``), or one of ``tools/infer.py`` or the artery/vein
    biomarker tool (named by ``stem``; their text columns
    :data:`TEXT_COLUMNS` are left out, and ``failed`` rows).

    Args:
        path (str): CSV with an ``image`` or ``stem`` column and numeric
            columns; empty cells are NaN.

    Returns:
        dict: image -> {column: value}.

    Raises:
        ValueError: If the file has neither column, an image twice, or
            a cell that is not a number.
    """
    with open(path, newline='') as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames or []
        key = next((k for k in ('image', 'stem') if k in fields), None)
        if key is None:
            raise ValueError(f'{path} has no "image" or "stem" column; '
                             'expected a CSV of tools/analysis_tools/'
                             'vessel_morphology.py, artery_vein_biomarkers'
                             '.py or tools/infer.py')
        table: FeatureTable = {}
        for row in reader:
            if row.get('status', 'ok') != 'ok':
                continue
            image = row.pop(key)
            for text in TEXT_COLUMNS:
                row.pop(text, None)
            if image in table:
                raise ValueError(f'{path} lists image {image!r} twice')
            try:
                table[image] = {
                    key: float(value) if value != '' else float('nan')
                    for key, value in row.items()
                }
            except ValueError as err:
                raise ValueError(f'{path}, image {image!r}: {err}') from err
    return table


def icc(ratings: np.ndarray, form: str = '2,1') -> float:
    """Intraclass correlation of ``n`` subjects rated by ``k`` raters.

    From the two-way ANOVA mean squares of subjects (``MSR``), raters
    (``MSC``) and residual (``MSE``), Shrout & Fleiss (1979):

    - ``'2,1'``: two-way random effects, absolute agreement, single rater
      (McGraw & Wong's ICC(A,1)):
      ``(MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n)``; a constant
      offset between raters lowers it.
    - ``'3,1'``: two-way mixed effects, consistency, single rater (ICC(C,1)):
      ``(MSR - MSE) / (MSR + (k-1) MSE)``; blind to a constant offset.

    Args:
        ratings (np.ndarray): ``(n, k)`` values, n >= 2 subjects and k >= 2
            raters, no NaN.
        form (str): '2,1' or '3,1'. Defaults to '2,1'.

    Returns:
        float: The ICC (at most 1; NaN where the subjects do not vary and
        the raters agree exactly).
    """
    if form not in ('2,1', '3,1'):
        raise ValueError(f"ICC form must be '2,1' or '3,1', got {form!r}")
    ratings = np.asarray(ratings, dtype=np.float64)
    if ratings.ndim != 2 or min(ratings.shape) < 2:
        raise ValueError('ICC needs an (n, k) array with n >= 2 subjects and '
                         f'k >= 2 raters, got shape {ratings.shape}')
    n, k = ratings.shape
    grand = ratings.mean()
    ss_rows = k * np.sum((ratings.mean(axis=1) - grand)**2)
    ss_cols = n * np.sum((ratings.mean(axis=0) - grand)**2)
    ss_error = np.sum((ratings - grand)**2) - ss_rows - ss_cols
    msr = ss_rows / (n - 1)
    msc = ss_cols / (k - 1)
    mse = ss_error / ((n - 1) * (k - 1))
    denominator = msr + (k - 1) * mse
    if form == '2,1':
        denominator += k * (msc - mse) / n
    if denominator == 0:
        return float('nan')
    return float((msr - mse) / denominator)


def agreement(reference: FeatureTable, other: FeatureTable,
              features: Sequence[str]) -> List[Dict[str, float]]:
    """Per feature, how well ``other`` agrees with ``reference``.

    Images are matched by name; an image where either value is NaN is left
    out of that feature.

    Args:
        reference (dict): The reference table (:func:`read_feature_csv`).
        other (dict): The compared table.
        features (Sequence[str]): Columns to compare.

    Returns:
        list[dict]: Per feature: ``feature``, ``n`` (images),
        ``reference_mean``, ``reference_sd``, ``other_mean``,
        ``icc_a1`` (ICC(2,1)), ``icc_c1`` (ICC(3,1)), ``mad_percent`` (mean
        absolute difference in percent of the reference mean) and
        ``bias_percent`` (mean signed difference, other minus reference,
        likewise).

    Raises:
        ValueError: If the two tables do not hold the same images or a
            feature is missing from one.
    """
    if set(reference) != set(other):
        only_ref = sorted(set(reference) - set(other))
        only_other = sorted(set(other) - set(reference))
        raise ValueError(
            'the tables hold different images: only in the reference '
            f'{only_ref[:5]}, only in the other {only_other[:5]}')
    images = sorted(reference)
    rows = []
    for feature in features:
        for table, which in ((reference, 'reference'), (other, 'other')):
            if feature not in table[images[0]]:
                raise ValueError(f'the {which} table has no column '
                                 f'{feature!r}')
        pairs = np.array([(reference[i][feature], other[i][feature])
                          for i in images])
        pairs = pairs[~np.isnan(pairs).any(axis=1)]
        ref, oth = pairs[:, 0], pairs[:, 1]
        mean = ref.mean() if len(ref) else float('nan')
        enough = len(pairs) >= 2
        rows.append(
            dict(
                feature=feature,
                n=len(pairs),
                reference_mean=float(mean),
                reference_sd=float(ref.std(ddof=1)) if enough else np.nan,
                other_mean=float(oth.mean()) if len(oth) else np.nan,
                icc_a1=icc(pairs, '2,1') if enough else np.nan,
                icc_c1=icc(pairs, '3,1') if enough else np.nan,
                mad_percent=float(100 * np.abs(oth - ref).mean() /
                                  abs(mean)) if len(ref) and mean else np.nan,
                bias_percent=float(100 * (oth - ref).mean() / abs(mean))
                if len(ref) and mean else np.nan))
    return rows
