# expect: NAS204 7:42
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy tpe { early_stop = asha(eta = 1) }
}
