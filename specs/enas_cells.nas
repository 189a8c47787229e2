# ENAS on a NASNet-style cell space for scikit-learn's 8x8 digits.
# One supernet holds every op on every (block, input) pair of the normal and reduction
# cells; the rl strategy's REINFORCE controller samples sub-networks, the shared weights
# train on the train split and the controller learns from validation accuracy. The best
# sampled cells are then trained from scratch as ordinary trials.
# Runs on 2 CPU cores in a few minutes: nasdsl run specs/enas_cells.nas
experiment "enas-cells" {
  seed = 5

  data {
    source   = sklearn.digits
    split    = train 70%, val 15%, test 15%
    stratify = true
  }

  objective {
    maximize val.accuracy
  }

  constraints {
    params <= 40k
  }

  space cells {
    stem      = conv(channels = 8, kernel = 3)
    normal    = cell(blocks = 2, ops = [conv_3x3, sep_conv_3x3, max_pool_3x3, avg_pool_3x3, identity, zero])
    reduction = cell(blocks = 2, ops = [conv_3x3, max_pool_3x3, avg_pool_3x3])
    layout    = [normal, reduction, normal]
    head      = [global_avg_pool]
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

  strategy enas {
    supernet_epochs  = 8  # at most 3 × train.epochs (a smoke run stays quick)
    controller_steps = 20
    controller_lr    = 0.05
    retrain_top      = 2
  }

  backend = torch
}
