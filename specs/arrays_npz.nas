# A CNN searched on images stored as NumPy arrays: data/digits16.npz holds `x`
# (1797 × 16 × 16 uint8 pixels; a 3-D array is read as one-channel images) and `y`
# (the digit). A pair of .npy files works the same way and is memory-mapped:
# source = file("x.npy", labels = "y.npy"). Run: nasdsl run specs/arrays_npz.nas
experiment "digits16-npz-cnn" {
  seed = 5
  data {
    source = file("data/digits16.npz")
    split  = train 70%, val 15%, test 15%
  }
  objective {
    maximize val.accuracy
  }
  constraints {
    params <= 20k
    flops  <= 2M
  }
  space layers {
    repeat range(1, 2) {
      conv(channels = choice(8, 16), kernel = 3, activation = relu)
      max_pool
    }
    dense(units = choice(16, 32), activation = relu)
    dropout(rate = uniform(0.0, 0.3))
  }
  train {
    epochs     = 6
    batch_size = 64
    optimizer  = adam(lr = loguniform(1e-3, 1e-2))
  }
  budget {
    trials = 6
    time   = 3 min
  }
  strategy tpe
}
