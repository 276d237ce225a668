# A study driven from the shell: every command takes --storage, or reads ALBACORE_STORAGE (OPTUNA_STORAGE too).
export ALBACORE_STORAGE=sqlite:///cli.db

albacore create-study --study-name shell-demo --direction minimize

# Ask for a trial with a search space given as JSON, evaluate it elsewhere, tell its value.
SPACE='{"x": {"name": "FloatDistribution", "attributes": {"low": -10, "high": 10}}}'
for _ in 1 2 3 4 5; do
    asked=$(albacore ask --study-name shell-demo --search-space "$SPACE" -f json)
    number=$(python -c 'import json, sys; print(json.loads(sys.argv[1])["number"])' "$asked")
    x=$(python -c 'import json, sys; print(json.loads(sys.argv[1])["params"]["x"])' "$asked")
    value=$(python -c "print(($x - 2) ** 2)")           # your program's result
    albacore tell --study-name shell-demo --trial-number "$number" --values "$value"
done

albacore trials --study-name shell-demo -f table          # also: -f json, yaml, value; --flatten
albacore best-trial --study-name shell-demo -f json
albacore studies
albacore delete-study --study-name shell-demo
