"""The applicability engine: regimes' rules as data, evaluated exactly over a profile.

- `conditions`: the condition tree (all / any / not, typed leaves) and exact numbers;
- `evaluate`: four results with reasons citing the provision, as of any date;
- `profile`: the documented YAML profile, or one built from an imported Epoch model;
- `regimes`: every `data/rules/*.yaml` file, validated;
- `coverage`: where each compute threshold falls on the imported models.
"""
