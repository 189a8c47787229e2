# expect: NAS202 5:31 hint: KB
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  constraints { model_size <= 5000 }
  space layers { dense(units = 8) }
}
