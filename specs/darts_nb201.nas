# DARTS on a NAS-Bench-201-style DAG cell for scikit-learn's 8x8 digits.
# A softmax over the five ops of every edge is trained by first-order bilevel descent
# (weights on the train split, architecture weights on the validation split), then
# discretised to the strongest op per edge — keeping at most `max_skips` skip
# connections per cell — and the resulting cell is trained from scratch as a trial.
# Runs on 2 CPU cores in a few minutes: nasdsl run specs/darts_nb201.nas
experiment "darts-nb201" {
  seed = 3

  data {
    source   = sklearn.digits
    split    = train 70%, val 15%, test 15%
    stratify = true
  }

  objective {
    maximize val.accuracy
  }

  space nb201 {
    nodes  = 4
    ops    = [none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3]
    stem   = [conv(channels = 8, kernel = 3, bias = false), batch_norm]
    layout = [cell x 2]  # 8x8 digits need no reduction: the cell does the work
  }

  train {
    epochs     = 4
    batch_size = 64
    optimizer  = adam(lr = 0.005)
  }

  budget {
    trials = 2
    time   = 15 min
  }

  strategy darts {
    supernet_epochs = 6  # at most 3 × train.epochs (a smoke run stays quick)
    arch_lr         = 0.003
    max_skips       = 2  # the guard against the collapse to skip connections
    retrain_top     = 2
  }

  backend = torch
}
