# A CNN searched on a folder of images: one sub-folder per class (here 400 PNG digits
# from specs/data/digit_images/, made by specs/data/make_image_data.py). Images are
# decoded and resized once, then cached for every trial; the class names are the
# folder names. Run: nasdsl run specs/images_folder.nas
experiment "digit-folder-cnn" {
  seed = 3
  data {
    source    = images("data/digit_images/", size = 16, grayscale = true)
    split     = train 70%, val 15%, test 15%
    normalize = standard
  }
  objective {
    maximize val.accuracy
  }
  constraints {
    params  <= 12k
    latency <= 20 ms
  }
  space layers {
    conv(channels = choice(8, 16), kernel = choice(3, 5), activation = relu)
    max_pool
    optional conv(channels = 16, kernel = 3, activation = relu)
    max_pool
    dense(units = choice(32, 64), activation = relu)
  }
  train {
    epochs     = 12
    batch_size = 32
    optimizer  = adam(lr = 0.003)
  }
  budget {
    trials = 6
    time   = 3 min
  }
  strategy random
}
