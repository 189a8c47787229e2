# expect: NAS410 5:3
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { conv(channels = 8); max_pool(size = 4); max_pool(size = 4); dense(units = 8) }
  budget { trials = 5 }
  strategy random
}
