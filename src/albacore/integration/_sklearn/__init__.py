"""The scikit-learn integration's implementation; the public names live in :mod:`albacore.integration.sklearn`."""
