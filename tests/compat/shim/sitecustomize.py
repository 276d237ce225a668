"""Started by every Python process of the harness's albacore run (PYTHONPATH names this folder): the import hook."""

import optuna_alias

optuna_alias.install()
