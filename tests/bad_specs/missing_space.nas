# expect: NAS104 2:1
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
}
