import albacore
from albacore.visualization import (
    plot_contour,
    plot_intermediate_values,
    plot_optimization_history,
    plot_parallel_coordinate,
    plot_param_importances,
    plot_slice,
)


def objective(trial: albacore.Trial) -> float:
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    depth = trial.suggest_int("depth", 1, 8)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    loss = 1.0
    for step in range(5):
        loss = (lr - 0.01) ** 2 * 100 + 0.05 * depth + 0.2 * (kind == "a") + 1.0 / (step + 1)
        trial.report(loss, step)
    return loss


study = albacore.create_study(sampler=albacore.samplers.TPESampler(seed=0))
study.optimize(objective, n_trials=40)

# Plots (pip install 'albacore[plotly]'): plotly figures, saved as HTML pages you can open in a browser.
plot_optimization_history(study).write_html("history.html")
plot_intermediate_values(study).write_html("intermediate.html")
plot_parallel_coordinate(study).write_html("parallel.html")
plot_contour(study, params=["lr", "depth"]).write_html("contour.html")
plot_slice(study).write_html("slice.html")
plot_param_importances(study).write_html("importances.html")

# The same plots with matplotlib (pip install 'albacore[matplotlib]').
ax = albacore.visualization.matplotlib.plot_optimization_history(study)
ax.figure.savefig("history.png")

# Importances as numbers: which parameters explain the objective's variation (they sum to 1).
importances = albacore.importance.get_param_importances(study)
print({name: round(value, 3) for name, value in importances.items()})

# The trials as a table (pip install 'albacore[pandas]').
frame = study.trials_dataframe(attrs=("number", "value", "params", "state"))
print(frame.sort_values("value").head(3))
