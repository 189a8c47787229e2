# expect: NAS309 5:64
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space cells { normal = cell(blocks = 2, ops = [sep_conv_3x3, sep_conv_9x9]) }
  budget { trials = 5 }
  strategy random
}
