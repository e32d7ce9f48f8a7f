"""Code that runs INSIDE the sandbox, next to the student's code.

Public by design: it holds no hidden inputs, no seeds and no reference solutions. It is copied
read-only into each sandbox as the package `kernel` (so its modules import each other only
relatively), and imports nothing but the standard library, numpy, nbformat and IPython.

- `probe`:  resolve a call's arguments, call a function, normalise its result
- `wire`:   the data-only channel: calls and outcomes as JSON + .npz (never pickle)
- `runner`: execute a notebook in a fresh interpreter, then answer the grader's calls
"""
