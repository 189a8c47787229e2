# A NAS-Bench-201-style DAG cell on digits, searched with regularized evolution.
experiment "digits-nb201" {
  seed = 3
  data {
    source = sklearn.digits
    folds  = 5                 # k-fold cross-validation on the non-test data
    split  = train 85%, test 15%
  }
  objective { maximize val.accuracy(k = 3) }
  constraints {
    latency(batch = 8, device = cpu) <= 20 ms
    accuracy >= 90% soft
  }
  space nb201 {
    nodes  = 4
    ops    = [none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3]
    stem   = [conv(channels = 8, kernel = 3), batch_norm]
    layout = [cell x 2, reduce, cell x 2]
    head   = [global_avg_pool, dense]
  }
  train {
    epochs     = 4
    batch_size = 64
    optimizer  = sgd(lr = 0.05, momentum = 0.9)
    schedule   = step(every = 2, gamma = 0.5)
    augment { flip = false; crop = 1; cutout = 2 }
  }
  budget { trials = 30; trial_hours = 1.5; trial_time = 2 min }
  strategy rl { lr = 0.01; entropy = 0.001 }
  final { top = 2; seeds = 2; epochs = 8 }
  execution { launcher = basic; device = auto }
}
