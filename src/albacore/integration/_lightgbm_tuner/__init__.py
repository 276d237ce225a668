"""The LightGBM integration's implementation; the public names live in :mod:`albacore.integration.lightgbm`."""
