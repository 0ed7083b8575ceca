"""The training losses of the group trainer (``vacuity.sims.train``), one object each, chosen by name in
its config (``TrainConfig.loss``).

Targets are always class indices (k, B): a binary task is a two-class data set whose class 1 is the
positive side, t = 2y - 1 in {-1, +1}. Each loss says how many output units the network needs and
supplies what the hand-written MLP step needs from it, the per-model minibatch means and their gradient
with respect to the outputs, so the step itself knows nothing of the loss. Outputs come in two layouts:
the MLP step's feature-major (k, outputs, B) and the autograd path's model-major (k, B, outputs); the
functions that take ``dim`` accept either (``dim`` is the output axis).

- ``softmax_ce``: cross-entropy of the softmax over the classes (the default; Zhang et al. 2017).
- ``logistic``: binary logistic loss softplus(-t f) = log(1 + exp(-t f)) on one output unit f.
- ``sigmoid_ce``: a binary cross-entropy per class on one-hot targets, *summed* over the classes:
  sum_c softplus(f_c) - Y_c f_c. The sum (not the mean) keeps the output gradient sigmoid(f) - Y on the
  scale of softmax's softmax(f) - Y, so the same learning rates apply.
- ``squared``: (1/2) sum_c (f_c - Y_c)^2 on one-hot targets, summed over the classes (gradient f - Y).

The margin of a point is t f for one output, else the true class's output minus the largest other one;
a point counts as correct when its margin is positive (one output) or its true class wins the argmax.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _one_hot(out: torch.Tensor, y: torch.Tensor, dim: int) -> torch.Tensor:
    return torch.zeros_like(out).scatter_(dim, y.unsqueeze(dim), 1.0)


class Loss:
    """A loss over class-index targets; subclasses define ``per_example`` and ``value_and_grad``."""

    name = ""
    binary = False  # one output unit (a two-class task), else one per class

    def outputs(self, n_classes: int) -> int:
        return n_classes

    def per_example(self, out: torch.Tensor, y: torch.Tensor, dim: int) -> torch.Tensor:
        """(k, B) losses; differentiable (the autograd path and the tests use it)."""
        raise NotImplementedError

    def value_and_grad(self, out: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Feature-major out (k, outputs, B): the (k,) minibatch means and the gradient of their sum
        with respect to out. May reuse ``out``'s storage only if it says so (none does)."""
        raise NotImplementedError

    def mean(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Model-major out (k, B, outputs): the (k,) minibatch means."""
        return self.per_example(out, y, -1).mean(1)

    def total(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Feature-major out: the (k,) sums over the batch (evaluation adds them up chunk by chunk)."""
        return self.per_example(out, y, 1).sum(1)

    def margins(self, out: torch.Tensor, y: torch.Tensor, dim: int) -> torch.Tensor:
        if self.binary:
            return (2.0 * y - 1.0) * out.squeeze(dim)
        true = out.gather(dim, y.unsqueeze(dim))
        others = out.scatter(dim, y.unsqueeze(dim), float("-inf"))
        return (true - others.amax(dim, keepdim=True)).squeeze(dim)

    def correct(self, out: torch.Tensor, y: torch.Tensor, dim: int) -> torch.Tensor:
        if self.binary:
            return self.margins(out, y, dim) > 0
        return out.argmax(dim) == y


class SoftmaxCE(Loss):
    name = "softmax_ce"

    def per_example(self, out, y, dim):
        return -torch.log_softmax(out, dim).gather(dim, y.unsqueeze(dim)).squeeze(dim)

    def value_and_grad(self, out, y):
        B = y.shape[1]
        logp = torch.log_softmax(out, 1)
        target = y.unsqueeze(1)
        losses = logp.gather(1, target).squeeze(1).mean(1).neg_()
        # (softmax - onehot) / B
        g = logp.exp_().scatter_add_(1, target, torch.full_like(target, -1, dtype=logp.dtype)).div_(B)
        return losses, g

    def mean(self, out, y):
        k, b = y.shape
        return F.cross_entropy(out.reshape(k * b, -1), y.reshape(k * b), reduction="none").view(k, b).mean(1)

    def total(self, out, y):
        return torch.log_softmax(out, 1).gather(1, y.unsqueeze(1)).squeeze(1).sum(1).neg_()


class Logistic(Loss):
    name = "logistic"
    binary = True

    def outputs(self, n_classes):
        if n_classes != 2:
            raise ValueError(f"the logistic loss needs a two-class task (one output unit); got {n_classes} classes")
        return 1

    def per_example(self, out, y, dim):
        return F.softplus(-(2.0 * y - 1.0) * out.squeeze(dim))

    def value_and_grad(self, out, y):
        B = y.shape[1]
        t = 2.0 * y - 1.0
        z = -t * out.squeeze(1)
        # d softplus(-t f) / df = -t sigmoid(-t f)
        return F.softplus(z).mean(1), (torch.sigmoid(z).mul_(t).div_(-B)).unsqueeze(1)


class SigmoidCE(Loss):
    name = "sigmoid_ce"

    def per_example(self, out, y, dim):
        return F.binary_cross_entropy_with_logits(out, _one_hot(out, y, dim), reduction="none").sum(dim)

    def value_and_grad(self, out, y):
        B = y.shape[1]
        Y = _one_hot(out, y, 1)
        losses = F.binary_cross_entropy_with_logits(out, Y, reduction="none").sum(1).mean(1)
        return losses, torch.sigmoid(out).sub_(Y).div_(B)


class Squared(Loss):
    name = "squared"

    def per_example(self, out, y, dim):
        return 0.5 * (out - _one_hot(out, y, dim)).square().sum(dim)

    def value_and_grad(self, out, y):
        B = y.shape[1]
        r = out - _one_hot(out, y, 1)
        return 0.5 * r.square().sum(1).mean(1), r.div_(B)


LOSSES = {cls.name: cls for cls in (SoftmaxCE, Logistic, SigmoidCE, Squared)}


def get(name: str) -> Loss:
    try:
        return LOSSES[name]()
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None
