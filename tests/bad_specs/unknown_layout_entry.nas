# expect: NAS309 5:72
experiment "bad" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space cells { normal = cell(ops = [identity]); layout = [normal x 2, reduction] }
  budget { trials = 5 }
  strategy random
}
