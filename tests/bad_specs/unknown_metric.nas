# expect: NAS302 4:24 hint: accuracy
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.acuracy }
  space layers { dense(units = 8) }
}
