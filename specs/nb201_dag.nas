# A NAS-Bench-201-style DAG cell trained on digits: every edge of a 4-node cell picks
# one op (none and skip_connect included), the cell is stacked with a residual
# reduction block in between. Run: nasdsl run specs/nb201_dag.nas
experiment "nb201-dag" {
  seed = 5

  data {
    source = sklearn.digits
    split  = train 70%, val 15%, test 15%
  }

  objective {
    maximize val.accuracy
  }

  space nb201 {
    nodes  = 4
    ops    = [none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3]
    stem   = [conv(channels = 8, kernel = 3), batch_norm]
    layout = [cell, reduce, cell]
    head   = [global_avg_pool, dense]
  }

  train {
    epochs     = 3
    batch_size = 64
    optimizer  = sgd(lr = 0.05, momentum = 0.9)
    schedule   = cosine()
  }

  budget {
    trials = 10
    time   = 5 min
  }

  strategy evolution {
    population = 4
    sample     = 2
  }

  backend = torch
}
