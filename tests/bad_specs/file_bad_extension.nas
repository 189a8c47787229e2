# expect: NAS204 3:24
experiment "bad" {
  data { source = file("x.txt") }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy random
}
