# expect: NAS404 5:3
experiment "bad" {
  data { source = sklearn.wine }
  objective { maximize val.accuracy }
  space cells { normal = cell(ops = [identity]) }
  budget { trials = 5 }
  strategy random
}
