# expect: NAS304 6:23 hint: adam
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = 8) }
  train { optimizer = adamm(lr = 0.01) }
}
