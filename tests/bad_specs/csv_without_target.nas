# expect: NAS105 3:19
experiment "bad" {
  data { source = csv("t.csv") }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy random
}
