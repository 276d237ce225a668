"""scikit-learn integration: :class:`OptunaSearchCV`, a hyperparameter search that is a scikit-learn estimator.

Needs ``pip install 'albacore[sklearn]'`` (scikit-learn >= 1.6).
"""

from albacore._optional import require

require("sklearn", extra="sklearn", feature="albacore.integration.OptunaSearchCV")

from albacore.integration._sklearn._search import OptunaSearchCV  # noqa: E402 - only after the check above

OptunaSearchCV.__module__ = __name__  # its public home, for reprs, docs and pickles

__all__ = ["OptunaSearchCV"]
