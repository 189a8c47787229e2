# Compression-aware search: an MLP for scikit-learn's digits that must fit 24 KB once its
# weights are quantized to int8 (PyTorch dynamic quantization), and keep 90% validation
# accuracy after quantization. Every trained model is also pruned by weight magnitude to
# 40% sparsity and fine-tuned for one epoch. The report shows float and int8 side by side.
# Run: nasdsl run specs/quantized_digits.nas
experiment "digits-int8" {
  seed = 3

  data {
    source   = sklearn.digits
    split    = train 70%, val 15%, test 15%
    stratify = true
  }

  objective {
    maximize val.accuracy
  }

  constraints {
    model_size <= 24 KB quantized int8
    accuracy   >= 0.9 quantized int8
  }

  space layers {
    repeat range(1, 2) {
      dense(units = choice(32, 64, 128, 256), activation = choice(relu, tanh))
    }
  }

  train {
    epochs     = 10
    batch_size = 32
    optimizer  = adam(lr = loguniform(1e-3, 1e-2))

    prune {
      sparsity  = 40%
      fine_tune = 1
    }
  }

  budget {
    trials = 8
    time   = 3 min
  }

  strategy random

  backend = torch
}
