# expect: NAS407 7:31
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy; minimize latency }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy tpe { early_stop = median }
}
