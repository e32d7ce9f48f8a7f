"""Reference implementations of CS224n Assignment 1 (2017), under the assignment's names.

SECRET: this package is for the grader and the instructors only. It is never copied into the
release or made visible inside a grading sandbox.
"""

from solutions.gradcheck import gradcheck_naive
from solutions.neural import forward_backward_prop, sigmoid, sigmoid_grad
from solutions.sentiment import (
    accuracy,
    chooseBestModel,
    getRegularizationValues,
    getSentenceFeatures,
)
from solutions.sgd import sgd
from solutions.softmax import softmax
from solutions.word2vec import (
    cbow,
    getNegativeSamples,
    negSamplingCostAndGradient,
    normalizeRows,
    skipgram,
    softmaxCostAndGradient,
    word2vec_sgd_wrapper,
)

# The functions students write, by the names the notebooks define them under.
REFERENCE = {
    "softmax": softmax,
    "sigmoid": sigmoid,
    "sigmoid_grad": sigmoid_grad,
    "gradcheck_naive": gradcheck_naive,
    "forward_backward_prop": forward_backward_prop,
    "normalizeRows": normalizeRows,
    "softmaxCostAndGradient": softmaxCostAndGradient,
    "getNegativeSamples": getNegativeSamples,
    "negSamplingCostAndGradient": negSamplingCostAndGradient,
    "skipgram": skipgram,
    "cbow": cbow,
    "word2vec_sgd_wrapper": word2vec_sgd_wrapper,
    "sgd": sgd,
    "getSentenceFeatures": getSentenceFeatures,
    "getRegularizationValues": getRegularizationValues,
    "chooseBestModel": chooseBestModel,
    "accuracy": accuracy,
}
