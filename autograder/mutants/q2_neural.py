"""Mutants of problem 2: sigmoid, sigmoid_grad, gradcheck_naive, forward_backward_prop."""

MUTANTS = ()
