# expect: NAS105 5:18
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(activation = relu) }
}
