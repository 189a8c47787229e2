# expect: NAS309 3:47
experiment "bad" {
  data { source = sklearn.digits; normalize = zscore }
  objective { maximize val.accuracy }
  space layers { dense(units = choice(16, 32)) }
  budget { trials = 5 }
  strategy random
}
