# expect: NAS310 8:26
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy random
  baseline "b" { model = keras.NASNetMobil(weights = none) }
}
