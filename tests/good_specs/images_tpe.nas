experiment "folder-images" {
  data {
    source = images("data/flowers/", size = 32, grayscale = false)
    split  = train 80%, val 10%, test 10%
  }
  objective { maximize val.top5_accuracy }
  space layers {
    conv(channels = choice(16, 32), kernel = choice(3, 5), activation = relu)
    choice(max_pool(size = 2), avg_pool)
    repeat choice(1, 2) { conv(channels = 32, activation = relu); optional batch_norm }
    global_avg_pool
    dense(units = 64, activation = swish)
  }
  train { epochs = 5; schedule = linear(warmup = 1); precision = bf16 }
  budget { trials = 20 }
  strategy tpe { startup = 5; multivariate = true; early_stop = asha(min_epochs = 1, eta = 2) }
  baseline "mobilenet" { model = torchvision.mobilenet_v3_small(weights = imagenet, trainable = false) }
  baseline "tiny" { layers { conv(channels = 8); global_avg_pool } }
}
