# expect: NAS101 6:21
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  train { augment { rotate = 10 } }
  budget { trials = 5 }
  strategy random
}
