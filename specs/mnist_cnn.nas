# A CNN searched on MNIST, a standard dataset read from its official IDX files in
# $NASDSL_DATA/mnist (fetch them once: nasdsl data download mnist). The official 10,000
# test images are the test split; train and val divide the 60,000 training images.
# Run: nasdsl run specs/mnist_cnn.nas
experiment "mnist-cnn" {
  seed = 8
  data {
    source = mnist
    split  = train 90%, val 10%
  }
  objective {
    maximize val.accuracy
  }
  constraints {
    params  <= 20k
    latency <= 5 ms
  }
  space layers {
    conv(channels = choice(8, 16), kernel = choice(3, 5), activation = relu)
    max_pool
    optional conv(channels = 16, kernel = 3, activation = relu)
    max_pool
    dense(units = choice(16, 32), activation = relu)
  }
  train {
    epochs     = 2
    batch_size = 128
    optimizer  = adam(lr = loguniform(1e-3, 1e-2))
  }
  budget {
    trials = 6
    time   = 10 min
  }
  strategy tpe
}
