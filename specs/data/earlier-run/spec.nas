# Warm start: seed an MLP search on scikit-learn's wine table with the candidates an
# earlier run evaluated (specs/data/earlier-run, a real run of this very spec without the
# warm_start line; see specs/data/README.md). Same data and training protocol, so the
# earlier results are re-used without training; run it with other epochs
# (train.epochs=3) and they become the search's starting points instead.
# Run: nasdsl run specs/warm_start.nas
experiment "wine-warm" {
  seed       = 5


  data {
    source   = sklearn.wine
    split    = train 60%, val 20%, test 20%
    stratify = true
  }

  objective {
    maximize val.accuracy
  }

  space layers {
    dense(units = choice(8, 16, 32), activation = choice(relu, tanh))
    dropout(rate = choice(0.0, 0.2))
  }

  train {
    epochs     = 12
    batch_size = 16
    optimizer  = adam(lr = choice(0.003, 0.01))
  }

  budget {
    trials = 6
  }

  strategy tpe {
    startup = 3
  }

  backend = torch
}
