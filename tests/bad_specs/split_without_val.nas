# expect: NAS204 3:35
experiment "bad" {
  data { source = sklearn.digits; split = train 85%, test 15% }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy random
}
