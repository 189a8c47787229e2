# expect: NAS106 5:17
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  constraints { params(batch = 1) <= 60k }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy random
}
