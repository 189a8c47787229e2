# expect: NAS308 6:22
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  train { schedule = cosin(warmup = 2) }
  budget { trials = 5 }
  strategy random
}
