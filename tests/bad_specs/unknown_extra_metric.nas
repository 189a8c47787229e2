# expect: NAS302 4:53
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy; metrics = [f1, precison] }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy random
}
