"""The package list, derived: each source folder maps to a subpackage of ``vacuity`` (pyproject.toml holds
everything else), and every package below it, a new claim package included, ships without an edit here."""

from setuptools import find_packages, setup

ROOTS = {
    "vacuity": "vacuity",
    "vacuity.theory": "theory",
    "vacuity.kernels": "kernels",
    "vacuity.sims": "sims",
    "vacuity.proofs_checked": "proofs_checked",
}

packages = []
for name, folder in ROOTS.items():
    packages += [name] + [f"{name}.{sub}" for sub in find_packages(folder)]

setup(packages=packages, package_dir=ROOTS)
