# expect: NAS206 8:41
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy random
  baseline "b" { layers { dense(units = choice(8, 16)) } }
}
