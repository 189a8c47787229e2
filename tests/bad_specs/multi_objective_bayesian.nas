# expect: NAS406 7:3
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy; minimize params }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy bayesian
}
