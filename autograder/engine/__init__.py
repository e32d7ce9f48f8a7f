"""The trusted grading engine: one submission in, scores and feedback out.

Student code runs only in a sandbox (autograder.sandbox); the verdict is computed here, in the
grader's process, from plain data the sandbox sends back (autograder.kernel.wire).
"""
