# Regression from a CSV file, with a second data-source style in comments.
experiment "house-prices" {
  description = "tabular regression from a CSV table"
  use "mypkg.ops"
  use "mypkg.extra_ops"
  data {
    source    = csv("data/houses.csv", target = "price")   # or file("x.npz")
    task      = regression
    split     = train 70%, val 15%, test 15%
    stratify  = false
    normalize = standard
  }
  objective { minimize val.mse; metrics = [mae, r2] }
  constraints { model_size <= 1 MiB; params <= 0.2M }
  space layers {
    dense(units = range(16, 128, 16), activation = relu)
    my_residual_block(width = choice(32, 64))   // a custom op from mypkg.ops
    dropout(rate = 0.1)
  }
  train { epochs = 20; batch_size = choice(32, 64, 128); optimizer = rmsprop(lr = 1e-3); schedule = exponential(gamma = 0.9) }
  budget { trials = 25; device_hours = 30 min; money = $5; rate = $2.48/gpu_hour }
  strategy bayesian { initial = 8; kernel = matern; acquisition = ei; early_stop = median(warmup = 2, min_trials = 4) }
  pilot { trials = 2; epochs = 1 }
  export { formats = [onnx, keras, source]; dir = "exports/" }
  execution { workers = 4; launcher = joblib; storage = "sqlite:///runs/houses.db"; device = cuda }
  backend = keras
}
