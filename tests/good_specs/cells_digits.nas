# Find a small CNN for scikit-learn's 8x8 handwritten digits that fits a microcontroller.
experiment "digits-edge" {
  seed = 7
  description = "NASNet-style cells on digits"
  use "mypkg.ops"

  data {
    source   = sklearn.digits       # also: file("x.npz"), csv("t.csv", target = "label")
    split    = train 70%, val 15%, test 15%
    stratify = true
    normalize = minmax
  }

  objective {
    maximize val.accuracy
    metrics = [f1, top3_accuracy, loss]
  }

  constraints {
    params     <= 60k
    model_size <= 256 KB
    latency    <= 2 ms (batch = 1, device = cpu)
    peak_memory(batch = 32) <= 64 MB soft
    flops      <= 5M
    accuracy   >= 0.95              # a target: the report says whether it was met
  }

  space cells {
    stem      = conv(channels = choice(8, 16, 24), kernel = 3)
    normal    = cell(blocks = 3, ops = [sep_conv_3x3, sep_conv_5x5, conv_3x3, max_pool_3x3, avg_pool_3x3, identity])
    reduction = cell(blocks = 2, ops = [max_pool_3x3, sep_conv_3x3, conv_3x3], combine = add)
    layout    = [normal x choice(1, 2), reduction, normal x choice(1, 2)]
    head      = [global_avg_pool, dropout(rate = uniform(0.0, 0.4)), dense]
  }

  train {
    epochs     = 8
    batch_size = choice(32, 64)
    optimizer  = adam(lr = loguniform(1e-4, 3e-3))
    schedule   = cosine(warmup = 2)
    augment { crop = 1; noise = 0.05 }
    precision  = mixed
  }

  budget {
    trials = 40
    time   = 10 min
    device_hours = 2
    trial_time = 90 s
    money  = $20
    rate   = $2.48/h
  }

  strategy evolution {
    population = 12
    sample     = 4
    early_stop = hyperband(min_epochs = 1, eta = 3)
  }

  pilot { trials = 3; epochs = 1; subset = 20% }

  baseline "hand-designed" {
    layers { conv(channels = 16, kernel = 3); max_pool; conv(channels = 32, kernel = 3); global_avg_pool; dense }
  }

  baseline "nasnet" {
    model = keras.NASNetMobile(weights = none, input_size = 32)
  }

  final {
    top      = 3                    # retrain the 3 best on train+val
    seeds    = 3                    # with 3 seeds each, report test mean ± std
  }

  export { formats = [onnx, torchscript, source] }

  execution {
    workers  = 2
    launcher = joblib
    storage  = "sqlite:///runs/digits.db"
    device   = auto
  }

  backend = torch                   // or keras
}
