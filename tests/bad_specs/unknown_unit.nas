# expect: NAS203 5:33 hint: KB
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  constraints { model_size <= 5 kb }
  space layers { dense(units = 8) }
}
