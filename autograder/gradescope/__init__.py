"""Gradescope: the autograder zip (``autograder gradescope-package``) and what runs in it.

* :mod:`~autograder.gradescope.package` builds the zip: ``setup.sh``, ``run_autograder``, the
  build's configuration (seed, limits), the course's hidden parts and the project's wheel;
* :mod:`~autograder.gradescope.run` is what those scripts run inside Gradescope's container
  (``prepare`` once, ``grade`` per submission), :mod:`~autograder.gradescope.collect` reads
  ``/autograder/submission``;
* :mod:`~autograder.gradescope.sandbox` is the sandbox possible in an unprivileged container
  when bubblewrap is not (its docstring states the trust model and what it does not give).

results.json itself is :mod:`autograder.report.gradescope`, shared with ``autograder grade``.
"""
