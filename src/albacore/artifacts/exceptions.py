"""Errors of the artifact stores (the same classes as in :mod:`albacore.exceptions`)."""

from albacore.exceptions import ArtifactNotFound

__all__ = ["ArtifactNotFound"]
