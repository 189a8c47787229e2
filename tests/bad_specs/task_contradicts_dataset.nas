# expect: NAS402 3:42
experiment "bad" {
  data { source = sklearn.digits; task = regression }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy random
}
