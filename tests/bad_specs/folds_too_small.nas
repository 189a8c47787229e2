# expect: NAS204 3:43
experiment "bad" {
  data { source = sklearn.digits; folds = 1 }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy random
}
