# expect: NAS202 6:31
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { money = $5; rate = $2 }
  strategy random
}
