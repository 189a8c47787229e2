# expect: NAS104 8:3
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy random
  baseline "b" { final = 3 }
}
