# expect: NAS202 5:39
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  constraints { latency(batch = 1) <= 5 MB }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy random
}
