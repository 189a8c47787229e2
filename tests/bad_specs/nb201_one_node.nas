# expect: NAS204 5:25
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space nb201 { nodes = 1 }
  budget { trials = 5 }
  strategy random
}
