# expect: NAS204 5:18
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { choice(dense(units = 8)) }
  budget { trials = 5 }
  strategy random
}
