# expect: NAS002 5:2
experiment "x" {
  data { source = sklearn.digits
  objective { maximize val.accuracy }
}
