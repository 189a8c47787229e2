# Tabular data from a CSV file with categorical columns and missing values
# (specs/data/tumours.csv, derived from scikit-learn's breast-cancer table: see
# specs/data/README.md). Preprocessing lives in the spec and is fitted on the training
# split only; the final phase averages the best models into one ensemble.
# Run: nasdsl run specs/tabular_csv.nas
experiment "tumours-csv" {
  seed = 11

  data {
    source   = csv("data/tumours.csv", target = "diagnosis")
    split    = train 60%, val 20%, test 20%
    stratify = true

    preprocess {
      numeric             = standardize
      categorical         = onehot
      impute              = median
      categorical_columns = auto
    }
  }

  objective {
    maximize val.roc_auc
    metrics = [accuracy, f1]
  }

  space layers {
    repeat range(1, 2) {
      dense(units = choice(16, 32, 64), activation = choice(relu, tanh))
      dropout(rate = uniform(0.0, 0.3))
    }
  }

  train {
    epochs     = 20
    batch_size = 32
    optimizer  = adam(lr = loguniform(1e-3, 1e-2))
  }

  budget {
    trials = 8
    time   = 3 min
  }

  strategy tpe {
    startup = 4
  }

  final {
    top      = 3
    seeds    = 2
    ensemble = top 3
  }

  backend = torch
}
