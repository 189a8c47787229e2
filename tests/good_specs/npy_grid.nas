experiment "npy-grid" {
  data { source = file("x.npy", labels = "y.npy"); normalize = none }
  objective { maximize val.accuracy }
  space layers {
    dense(units = choice(8, 16))
    optional dropout(rate = 0.2)
  }
  budget { trials = 4 }
  strategy grid { resolution = 3 }
}
