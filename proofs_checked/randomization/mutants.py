"""Realistic wrong versions of the code the randomization claim checks (declared in ``__init__``'s CLAIM):
each factory takes the original object and returns the wrong one."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import sympy as sp


def corrupt_from_other_classes(original):
    """Label corruption that always changes the label: the new class drawn from the K - 1 others (the
    paper's "uniform random class" may be the true one)."""

    def corrupt_labels(y, p, n_classes, rng):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"corruption probability must lie in [0, 1], got {p}")
        mask = rng.random(y.shape[0]) < p
        out = y.copy()
        out[mask] = (y[mask] + rng.integers(1, n_classes, int(mask.sum()))) % n_classes
        return out

    return corrupt_labels


def corruption_probability_corrected(original):
    """The partial-corruption variant built with probability p (1 - 1/K), "so that a fraction p changes":
    the (1 - 1/K) is then applied twice (p (1 - 1/K)^2 changes)."""

    def make_variant(ds, variant, seed=0, p=0.5):
        if variant == "partial_labels":
            return replace(original(ds, variant, seed, p * (1 - 1 / ds.n_classes)),
                           name=f"{ds.name}/partial_labels(p={p:g})")
        return original(ds, variant, seed, p)

    return make_variant


def random_labels_relabel_classes(original):
    """"Random labels" as a random renaming of the classes, y -> sigma(y): uniform-looking marginal, about
    the right changed fraction, but a function of the image."""

    def make_variant(ds, variant, seed=0, p=0.5):
        if variant == "random_labels":
            sigma = np.random.default_rng([seed, 2]).permutation(ds.n_classes)
            return replace(ds, y_train=sigma[ds.y_train], name=f"{ds.name}/random_labels")
        return original(ds, variant, seed, p)

    return make_variant


def random_pixels_one_permutation(original):
    """Random pixels that draw one permutation and apply it to every image (shuffled pixels again)."""
    from vacuity.sims import data as D

    def make_variant(ds, variant, seed=0, p=0.5):
        if variant == "random_pixels":
            _, positions = D._pixel_axes(ds.shape)
            perm = np.random.default_rng([seed, 4]).permutation(positions)
            return replace(ds, x_train=D.permute_pixels(ds.x_train, perm),
                           x_test=D.permute_pixels(ds.x_test, perm), name=f"{ds.name}/random_pixels")
        return original(ds, variant, seed, p)

    return make_variant


def gaussian_variance_as_scale(original):
    """The Gaussian variant drawn with the data's variance passed as numpy's scale (a standard deviation)."""

    def make_variant(ds, variant, seed=0, p=0.5):
        if variant == "gaussian":
            rng = np.random.default_rng([seed, 5])
            mean, var = float(ds.x_train.mean(dtype=np.float64)), float(ds.x_train.var(dtype=np.float64))
            draw = lambda x: rng.normal(mean, var, x.shape).astype(np.float32)  # noqa: E731
            return replace(ds, x_train=draw(ds.x_train), x_test=draw(ds.x_test), name=f"{ds.name}/gaussian")
        return original(ds, variant, seed, p)

    return make_variant


def weight_decay_dropped(original):
    """The claim's runs built without their weight decay (the setting read but never passed on)."""

    def claim_runs(ds, levels, seeds, weight_decay):
        return [(n, replace(r, weight_decay=0.0)) for n, r in original(ds, levels, seeds, weight_decay)]

    return claim_runs


def changed_fraction_is_p(original):
    """The changed-label fraction stated as p: every corrupted label assumed to change."""
    from vacuity.theory import randomization as T

    return lambda: T.p


def mlp_count_without_biases(original):
    """The MLP counts with the weight matrices only (biases forgotten)."""
    from vacuity.theory import randomization as T

    def mlp_count(depth, width=T.MLP_WIDTH):
        sizes = [T.c * T.h * T.w] + [width] * depth + [T.K]
        return sp.expand(sum(a * b for a, b in zip(sizes[:-1], sizes[1:])))

    return mlp_count


def mlp_width_256(original):
    """MLP 1x512 built with 256 hidden units."""
    from vacuity.sims import models as M

    def build(name, shape, n_classes=10, dropout=0.0):
        if name == "mlp1x512":
            return M.MLP(tuple(int(s) for s in shape), n_classes, depth=1, width=256, dropout=dropout)
        return original(name, shape, n_classes, dropout)

    return build


def counts_stated_not_derived(original):
    """The counts short-circuited to Table 1's numbers (CIFAR-10's shape) instead of derived for the input."""
    from vacuity.theory import randomization as T

    def counts():
        derived = original()
        return {m: sp.Integer(int(e.subs(T.CIFAR))) for m, e in derived.items()}

    return counts
