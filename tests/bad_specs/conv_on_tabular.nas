# expect: NAS404 6:5
experiment "x" {
  data { source = sklearn.iris }
  objective { maximize val.accuracy }
  space layers {
    conv(channels = 8)
  }
}
