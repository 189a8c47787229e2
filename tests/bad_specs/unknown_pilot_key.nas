# expect: NAS101 8:23
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy random
  pilot { trials = 2; epoch = 1 }
}
