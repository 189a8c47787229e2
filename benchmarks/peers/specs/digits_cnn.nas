# Peer benchmark task 1: a small CNN for scikit-learn's 8x8 digits.
# benchmarks/peers/space.py writes the same space by hand for KerasTuner and Optuna;
# tests/test_peers_smoke.py checks that both ask exactly the same decisions.
experiment "peers-digits-cnn" {
  seed = 0

  data {
    source   = sklearn.digits
    split    = train 70%, val 15%, test 15%
    stratify = true
  }

  objective {
    maximize val.accuracy
  }

  space layers {
    repeat range(1, 2) {
      conv(channels = choice(8, 16, 32), kernel = choice(3, 5), activation = relu)
      optional batch_norm
      optional max_pool
    }
    dense(units = choice(32, 64, 128), activation = relu)
    dropout(rate = uniform(0.0, 0.5))
  }

  train {
    epochs     = 8
    batch_size = choice(32, 64)
    optimizer  = adam(lr = loguniform(1e-3, 1e-2))
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
