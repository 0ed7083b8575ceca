"""When a model of a group stops training, chosen by name in the trainer's config (``TrainConfig.stop``).
Every rule is checked at the end of an epoch on the whole training set (eval mode); the step budget
(``max_steps``) and early stopping (``patience``) apply under every rule.

- ``fit``: training accuracy >= ``fit_threshold`` (Zhang et al. 2017: train until the data is fitted).
- ``budget``: the step budget only.
- ``margin``: margin >= ``margin`` (gamma) on at least a fraction 1 - ``margin_tau`` of the training
  points; the margin is the loss's (``losses.Loss.margins``: t f for one output, the true class's output
  minus the largest other one for several).
"""

from __future__ import annotations

# a fraction computed as count / n may fall a rounding error short of a threshold it meets exactly
SLACK = 1e-12


class StopRule:
    name = ""
    needs_margins = False

    def reached(self, metrics: dict) -> bool:
        """metrics: one model's end-of-epoch numbers (train_acc; margin_frac when needs_margins)."""
        raise NotImplementedError


class Fit(StopRule):
    name = "fit"

    def __init__(self, threshold: float):
        self.threshold = threshold

    def reached(self, metrics):
        return metrics["train_acc"] >= self.threshold - SLACK


class Budget(StopRule):
    name = "budget"

    def reached(self, metrics):
        return False


class Margin(StopRule):
    name = "margin"
    needs_margins = True

    def __init__(self, gamma: float, tau: float):
        self.gamma, self.tau = gamma, tau

    def reached(self, metrics):
        return metrics["margin_frac"] >= 1.0 - self.tau - SLACK


RULES = ("fit", "budget", "margin")


def from_config(cfg) -> StopRule:
    """The rule of a ``TrainConfig``: ``stop_at_fit=False`` (the older switch) means the budget rule."""
    if cfg.stop == "fit":
        return Fit(cfg.fit_threshold) if cfg.stop_at_fit else Budget()
    if cfg.stop == "budget":
        return Budget()
    if cfg.stop == "margin":
        return Margin(cfg.margin, cfg.margin_tau)
    raise ValueError(f"unknown stop rule {cfg.stop!r}; choose one of {', '.join(RULES)}")
