# Deployment settings: table backend, final scale and ensemble, execution limits,
# quantized limits, pruning, warm start, a weight-sharing strategy and targets.
experiment "deploy-features" {
  seed       = 1
  warm_start = ["runs/earlier-run", "sqlite:///runs/other/study.db"]

  data {
    source = sklearn.digits
  }

  objective {
    maximize val.accuracy
  }

  constraints {
    model_size <= 256 KB quantized int8
    accuracy   >= 0.9 quantized int8 soft
  }

  target "phone" {
    latency    <= 5 ms
    model_size <= 1 MB quantized float16
  }

  target "mcu" {
    model_size <= 64 KB quantized int8
  }

  space nb201 {
    nodes  = 4
    layout = [cell x 2, reduce, cell x 2]
  }

  train {
    epochs = 4

    prune {
      sparsity  = 50%
      fine_tune = 2
    }
  }

  budget {
    trials = 10
    money  = $5
    cost   = $2.48/h
  }

  strategy ofa {
    supernet_epochs = 3
    population      = 10
    retrain_top     = 2
  }

  final {
    top      = 3
    seeds    = 2
    ensemble = top 3

    scale {
      cells    = 2x
      channels = 1.5x
    }
  }

  execution {
    workers       = 2
    launcher      = submitit
    storage       = "journal:runs/study.log"
    retries       = 1
    trial_timeout = 10 min
    trial_memory  = 2 GB
    device        = cpu
  }

  backend = table("tables/nb201.csv")
}
