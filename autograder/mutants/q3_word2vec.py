"""Mutants of problem 3: word2vec and sgd."""

MUTANTS = ()
