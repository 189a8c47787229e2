# expect: NAS308 7:31
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy tpe { early_stop = hyperbnd(eta = 3) }
}
