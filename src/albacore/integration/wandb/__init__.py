"""Weights & Biases: ``WeightsAndBiasesCallback`` (defined in ``albacore.integration.wandb.wandb``, the module path
that Optuna's integration uses, so that code patching ``optuna_integration.wandb.wandb.wandb`` keeps working)."""

from albacore.integration.wandb.wandb import WeightsAndBiasesCallback

__all__ = ["WeightsAndBiasesCallback"]
