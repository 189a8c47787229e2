# Peer benchmark task 2: an MLP for scikit-learn's breast_cancer table.
# benchmarks/peers/space.py writes the same space by hand for KerasTuner and Optuna;
# tests/test_peers_smoke.py checks that both ask exactly the same decisions.
experiment "peers-cancer-mlp" {
  seed = 0

  data {
    source   = sklearn.breast_cancer
    split    = train 70%, val 15%, test 15%
    stratify = true
  }

  objective {
    maximize val.accuracy
  }

  space layers {
    repeat range(1, 3) {
      dense(units = choice(16, 32, 64, 128), activation = choice(relu, gelu, tanh))
      optional batch_norm
      dropout(rate = uniform(0.0, 0.5))
    }
  }

  train {
    epochs     = 20
    batch_size = choice(16, 32, 64)
    optimizer  = adam(lr = loguniform(1e-4, 1e-2))
  }

  budget {
    time = 5 min
  }

  strategy tpe

  execution {
    workers = 1
  }

  backend = torch
}
