# expect: NAS309 6:23
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  train { precision = fp8 }
  budget { trials = 5 }
  strategy random
}
