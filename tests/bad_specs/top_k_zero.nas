# expect: NAS204 4:41
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy(k = 0) }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy random
}
