"""Support code for CS224n Assignment 1: data loaders, plots, sanity checks, notebook helpers.

This package is public: it is copied into every student's release next to the notebooks.
"""

import os
from pathlib import Path

GRADING_ENV = "CS224N_GRADING"
PACKAGE_DIR = Path(__file__).resolve().parent


VALIDATING_ENV = "NBGRADER_VALIDATING"


def grading_mode() -> bool:
    """True while the notebook is being autograded ($CS224N_GRADING == "1") or validated
    (`nbgrader validate` sets $NBGRADER_VALIDATING to "1").

    The long runs (40,000 SGD iterations, the full regularisation sweep) then do the least
    that still runs your code (2 iterations, 3 quick fits) on the small sample of SST shipped
    with this package, so grading and validating stay fast and need no download.
    """
    return os.environ.get(GRADING_ENV, "") == "1" or os.environ.get(VALIDATING_ENV, "") == "1"


def sample_sst_dir() -> Path:
    """The small SST sample in the real file format, shipped with this package."""
    return PACKAGE_DIR / "sample_data" / "stanfordSentimentTreebank"
