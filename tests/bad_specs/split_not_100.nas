# expect: NAS204 5:5
experiment "x" {
  data {
    source = sklearn.digits
    split = train 70%, val 20%, test 20%
  }
  objective { maximize val.accuracy }
  space layers { dense(units = 8) }
}
