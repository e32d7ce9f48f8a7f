"""``autograder gradescope-package``: build the autograder zip for Gradescope."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

log = logging.getLogger("autograder")


def add_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gradescope-package", help="build the autograder zip Gradescope expects",
        description="Build the autograder zip for a Gradescope programming assignment: "
                    "setup.sh, run_autograder, the engine, the checks and solutions (the "
                    "project's wheel), the instructor notebooks, and the term's check seed. "
                    "Limits and timeouts are the grading settings (AUTOGRADER_*). See the "
                    "README's Gradescope section.")
    p.add_argument("--out", type=Path, default=Path("gradescope-autograder.zip"),
                   help="the zip to write (default ./gradescope-autograder.zip)")
    p.add_argument("--seed", type=int, default=None,
                   help="the term's secret check seed (default: CS224N_CHECK_SEED; one of the "
                        "two is required)")
    p.add_argument("--allow-public-seed", action="store_true",
                   help="accept the public default seed (test packages only)")
    p.add_argument("--wheels", type=Path, default=None,
                   help="bundle these dependency wheels (a folder with requirements.txt, made "
                        "by `CS224N_WHEEL_EXTRAS=course bash docker/wheels.sh DIR` for the "
                        "image's Python): setup.sh then needs no network")
    p.add_argument("--sandbox", choices=("auto", "bwrap", "container"), default="auto",
                   help="where student code runs on Gradescope: auto (bwrap if the container "
                        "allows it, else the container sandbox), or only that one")
    p.add_argument("--course", type=Path, default=None,
                   help="the course folder (default: the setting course_root)")
    p.add_argument("--assignment", default=None, help="the assignment id (default: ps1)")
    p.set_defaults(func=_package)


def _package(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from autograder.gradescope.package import PackageError, build_package, choose_seed
    from autograder.settings import GradingSettings, describe_errors

    given = {k: v for k, v in (("course_root", args.course), ("assignment", args.assignment))
             if v is not None}
    try:
        settings = GradingSettings(**given)
        seed = choose_seed(args.seed, args.allow_public_seed)
        built = build_package(args.out, settings=settings, seed=seed, sandbox=args.sandbox,
                              wheels=args.wheels)
    except PackageError as exc:
        log.error("%s", exc)
        return 2
    except ValidationError as exc:
        for line in describe_errors(exc, GradingSettings):
            log.error("%s", line)
        return 2
    log.info("wrote %s (%.1f MB, %d files, %d bundled wheels; sha256 %s)", built.path,
             built.bytes / 1e6, len(built.members), built.bundled_wheels, built.sha256[:16])
    log.info("upload it as the assignment's autograder; give the written parts their own "
             "manual questions in the outline")
    return 0
