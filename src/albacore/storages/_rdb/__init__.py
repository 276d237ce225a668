"""The package path ``optuna.storages._rdb``, kept for code written for Optuna that imports RDBStorage from it.

albacore's database storage lives in :mod:`albacore.storages.rdb`; Optuna's SQLAlchemy models and schema
revisions are Optuna's own and have no counterpart here.
"""
