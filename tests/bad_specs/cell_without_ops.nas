# expect: NAS105 5:26
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space cells { normal = cell(blocks = 2) }
  budget { trials = 5 }
  strategy random
}
