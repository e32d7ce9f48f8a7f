"""The CS224n PS1 autograder: checks catalogue, sandboxed grading engine and service."""
