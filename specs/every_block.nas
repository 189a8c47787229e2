# Every block of the language in one spec (see docs/language.md for each key).
# It still runs quickly: nasdsl run specs/every_block.nas budget.trials=1 train.epochs=1
experiment "every-block" {
  seed        = 21
  description = "A tour of every block: data to export"

  data {
    source   = sklearn.digits
    split    = train 70%, val 15%, test 15%
    stratify = true

    preprocess {
      numeric     = standardize
      categorical = onehot
      impute      = mean
    }
  }

  objective {
    maximize val.accuracy
    metrics = [f1, loss]
  }

  constraints {
    params     <= 60k
    model_size <= 256 KB quantized int8
    latency    <= 50 ms (batch = 1, device = cpu) soft
    accuracy   >= 0.8 soft
  }

  target "phone" {
    latency    <= 10 ms
    model_size <= 1 MB
  }

  target "microcontroller" {
    model_size <= 32 KB quantized int8
  }

  space cells {
    stem      = conv(channels = choice(8, 12), kernel = 3)
    normal    = cell(blocks = 2, ops = [sep_conv_3x3, conv_3x3, max_pool_3x3, identity])
    reduction = cell(blocks = 1, ops = [max_pool_3x3, conv_3x3], combine = add)
    layout    = [normal, reduction, normal]
    head      = [global_avg_pool, dropout(rate = 0.1), dense]
  }

  train {
    epochs     = 2
    batch_size = 64
    optimizer  = adam(lr = loguniform(1e-3, 1e-2))
    schedule   = cosine(warmup = 1)
    precision  = fp32

    augment {
      crop = 1
    }

    prune {
      sparsity  = 30%
      fine_tune = 1
    }
  }

  budget {
    trials     = 4
    time       = 5 min
    trial_time = 2 min
    money      = $1
    cost       = $2.48/h
  }

  strategy evolution {
    population = 2
    sample     = 2
    early_stop = median(warmup = 1, min_trials = 2)
  }

  pilot {
    trials = 1
    epochs = 1
    subset = 50%
  }

  baseline "hand-designed" {
    layers {
      conv(channels = 8, kernel = 3)
      max_pool
      global_avg_pool
      dense
    }
  }

  final {
    top      = 1
    seeds    = 1
    epochs   = 1
    ensemble = none

    scale {
      cells    = 1x
      channels = 1.5x
    }
  }

  export {
    formats = [source]
  }

  execution {
    workers       = 1
    launcher      = basic
    retries       = 0
    trial_timeout = 5 min
    trial_memory  = 4 GB
    device        = cpu
  }

  backend = torch
}
