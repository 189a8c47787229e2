# NASNet-style cell search on scikit-learn's 8x8 digits: a normal and a reduction cell,
# each a small DAG of blocks, stacked by a layout between a stem and a head.
# Run: nasdsl run specs/cells_digits.nas
experiment "cells-digits" {
  seed        = 11
  description = "NASNet-style normal and reduction cells on digits"

  data {
    source   = sklearn.digits
    split    = train 70%, val 15%, test 15%
    stratify = true
  }

  objective {
    maximize val.accuracy
    metrics = [f1]
  }

  constraints {
    params     <= 40k
    model_size <= 256 KB
  }

  space cells {
    stem      = conv(channels = choice(8, 12), kernel = 3)
    normal    = cell(blocks = 2, ops = [sep_conv_3x3, conv_3x3, max_pool_3x3, identity])
    reduction = cell(blocks = 1, ops = [max_pool_3x3, conv_3x3], combine = add)
    layout    = [normal, reduction, normal x choice(1, 2)]
    head      = [global_avg_pool, dropout(rate = uniform(0.0, 0.3)), dense]
  }

  train {
    epochs     = 3
    batch_size = 64
    optimizer  = adam(lr = loguniform(1e-3, 1e-2))
  }

  budget {
    trials = 8
    time   = 5 min
  }

  strategy evolution {
    population = 4
    sample     = 2
  }

  backend = torch
}
