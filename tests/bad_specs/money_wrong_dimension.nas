# expect: NAS202 6:20
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { money = 5 h; rate = $2/h }
  strategy random
}
