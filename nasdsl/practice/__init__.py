"""What practitioners need around the search (issue 10), each in its own module.

* quantize: compression-aware constraints (`quantized int8`) and pruning, driven here and
  measured by the backend's `compress` module;
* warm_start: seeding a study with earlier runs' candidates;
* ensemble: the final phase's top-k ensemble, saved as one model;
* preprocess / tabular: CSV tables and preprocessing fitted on the training split;
* report: the lines the run report adds for all of the above;
* validate: what `nasdsl run` checks before it starts (the CSV, warm-start sources).

Nothing here imports a deep-learning framework at module level.
"""
