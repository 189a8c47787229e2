# Once-for-all (simplified) on a layer chain for scikit-learn's 8x8 digits: one elastic
# supernet (widths, kernel sizes, depth, activations) is trained once, then searched
# without retraining for each deployment target under that target's own limits; one
# sub-network per target is trained from scratch as an ordinary trial.
# Runs on 2 CPU cores in a few minutes: nasdsl run specs/ofa_targets.nas
experiment "ofa-targets" {
  seed = 11

  data {
    source   = sklearn.digits
    split    = train 70%, val 15%, test 15%
    stratify = true
  }

  objective {
    maximize val.accuracy
  }

  target "edge" {
    params  <= 20k
    latency <= 5 ms
  }

  target "mcu" {
    params     <= 3k
    model_size <= 16 KB
  }

  space layers {
    conv(channels = choice(2, 8, 16), kernel = choice(3, 5), activation = relu)
    repeat range(1, 3) {
      conv(channels = choice(2, 8, 16), kernel = choice(3, 5), activation = choice(relu, sigmoid))
    }
    max_pool(size = 2)
    dense(units = choice(4, 16, 64), activation = relu)
  }

  train {
    epochs     = 6
    batch_size = 64
    optimizer  = adam(lr = 0.005)
  }

  budget {
    trials = 2
    time   = 15 min
  }

  strategy ofa {
    supernet_epochs = 10  # at most 3 × train.epochs (a smoke run stays quick)
    progressive     = true
    population      = 16
    generations     = 5
  }

  backend = torch
}
