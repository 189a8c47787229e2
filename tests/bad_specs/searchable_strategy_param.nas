# expect: NAS206 7:37
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy evolution { population = choice(10, 20) }
}
