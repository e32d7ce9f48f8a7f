"""Mutants of problem 4: sentence features and model selection."""

MUTANTS = ()
