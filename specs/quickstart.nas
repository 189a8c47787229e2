# Quickstart: a small MLP for scikit-learn's 8x8 handwritten digits.
# Runs on 2 CPU cores in about a minute: nasdsl run specs/quickstart.nas
experiment "quickstart" {
  seed        = 7
  description = "MLP search on digits under a 20k-parameter limit"

  data {
    source   = sklearn.digits
    split    = train 70%, val 15%, test 15%
    stratify = true
  }

  objective {
    maximize val.accuracy
  }

  constraints {
    params     <= 20k
    model_size <= 96 KB
    latency    <= 5 ms
    accuracy   >= 0.95  # a target: the summary says whether it was met
  }

  space layers {
    repeat range(1, 2) {
      dense(units = choice(32, 64, 128), activation = choice(relu, gelu, tanh))
      optional batch_norm
      dropout(rate = uniform(0.0, 0.3))
    }
  }

  train {
    epochs     = 15
    batch_size = choice(32, 64)
    optimizer  = adam(lr = loguniform(1e-3, 1e-2))
  }

  budget {
    trials = 20
    time   = 2 min
  }

  strategy random
  backend = torch
}
