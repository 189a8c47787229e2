# NAS-Bench-201 on its CIFAR-10 table: every candidate is looked up, nothing is trained,
# so a search strategy can be tried in seconds: nasdsl run specs/nb201.nas
# The table ships gzipped in specs/data/ (see specs/data/README.md for its source).
experiment "nb201" {
  seed        = 1
  description = "NAS-Bench-201 cell search, evaluated from the benchmark's CIFAR-10 table"

  # The table backend does not train; the data block only gives the space an image input.
  data {
    source = sklearn.digits
  }

  objective {
    maximize val.accuracy
  }

  space nb201 {
    nodes = 4
    ops   = [none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3]
  }

  train {
    epochs     = 1
    batch_size = 64
    optimizer  = sgd(lr = 0.1, momentum = 0.9)
  }

  budget {
    trials = 100
  }

  strategy evolution
  backend = table("data/nb201_cifar10.csv.gz")
}
