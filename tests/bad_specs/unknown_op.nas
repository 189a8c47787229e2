# expect: NAS303 7:5 hint: dropout
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers {
    dense(units = 8)
    dropuot(rate = 0.2)
  }
}
